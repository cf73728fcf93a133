package io.github.wsdrain.sample;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

/**
 * {@code /demo/echo}: sends every message back, text as text, binary as binary, in the
 * order received. Over {@code wsdrain.v1} both directions are acknowledged and resumed,
 * so a client that loses its connection gets every echo exactly once.
 */
class EchoHandler extends AbstractWebSocketHandler {

	@Override
	protected void handleTextMessage(WebSocketSession session, TextMessage message) throws Exception {
		session.sendMessage(message);
	}

	@Override
	protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) throws Exception {
		session.sendMessage(message);
	}

}

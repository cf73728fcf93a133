package io.github.wsdrain.server;

import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.SubscribableChannel;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.messaging.SubProtocolWebSocketHandler;

/**
 * The STOMP (sub-protocol) handler without Spring's buffering decorator for sessions
 * that wsdrain already drains: that decorator discards its buffer on close, and our
 * session is already safe for concurrent sends.
 */
public class DrainingSubProtocolWebSocketHandler extends SubProtocolWebSocketHandler {

	public DrainingSubProtocolWebSocketHandler(MessageChannel clientInboundChannel,
			SubscribableChannel clientOutboundChannel) {
		super(clientInboundChannel, clientOutboundChannel);
	}

	@Override
	protected WebSocketSession decorateSession(WebSocketSession session) {
		return (session instanceof DrainingWebSocketSession) ? session : super.decorateSession(session);
	}

}

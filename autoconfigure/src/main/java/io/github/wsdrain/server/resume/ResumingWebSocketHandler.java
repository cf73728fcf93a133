package io.github.wsdrain.server.resume;

import io.github.wsdrain.protocol.FrameCodec;
import io.github.wsdrain.session.DrainingWebSocketSession;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.SubProtocolCapable;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;
import org.springframework.web.socket.server.HandshakeHandler;
import org.springframework.web.socket.server.support.AbstractHandshakeHandler;

/**
 * Sits between the draining handler and the app's: connections that negotiated
 * {@code wsdrain.v1} are driven through a {@link ResumableSession}; every other
 * connection passes through untouched.
 */
public class ResumingWebSocketHandler extends WebSocketHandlerDecorator {

	private static final Log logger = LogFactory.getLog(ResumingWebSocketHandler.class);

	private final ResumableSessions sessions;

	public ResumingWebSocketHandler(WebSocketHandler delegate, ResumableSessions sessions) {
		super(delegate);
		this.sessions = sessions;
	}

	/**
	 * Return whether an endpoint can offer {@code wsdrain.v1}: not when the app's handler
	 * negotiates its own sub-protocol (STOMP) or takes partial messages, whose fragments
	 * carry no frame header.
	 * @param handler the endpoint's handler
	 * @param handshakeHandler the endpoint's handshake handler
	 * @return whether to wrap the handler and advertise the protocol
	 */
	public static boolean canServe(WebSocketHandler handler, HandshakeHandler handshakeHandler) {
		return handshakeHandler instanceof AbstractHandshakeHandler
				&& !(WebSocketHandlerDecorator.unwrap(handler) instanceof SubProtocolCapable)
				&& !handler.supportsPartialMessages();
	}

	/**
	 * Add {@code wsdrain.v1} to the protocols a handshake handler accepts, so a client
	 * that offers it gets it.
	 * @param handshakeHandler a handshake handler {@link #canServe} accepted
	 */
	public static void advertise(HandshakeHandler handshakeHandler) {
		AbstractHandshakeHandler handler = (AbstractHandshakeHandler) handshakeHandler;
		String[] protocols = handler.getSupportedProtocols();
		if (!java.util.Arrays.asList(protocols).contains(FrameCodec.PROTOCOL)) {
			String[] extended = java.util.Arrays.copyOf(protocols, protocols.length + 1);
			extended[protocols.length] = FrameCodec.PROTOCOL;
			handler.setSupportedProtocols(extended);
		}
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession session) throws Exception {
		if (!negotiated(session)) {
			super.afterConnectionEstablished(session);
		}
		else if (session instanceof DrainingWebSocketSession connection) {
			this.sessions.connectionEstablished(connection, getDelegate());
		}
		else {
			session.close(CloseStatus.SERVER_ERROR.withReason(FrameCodec.PROTOCOL + " needs a draining session"));
		}
	}

	@Override
	public void handleMessage(WebSocketSession session, WebSocketMessage<?> message) throws Exception {
		if (!negotiated(session)) {
			super.handleMessage(session, message);
			return;
		}
		ResumableSession resumable = this.sessions.sessionOf(session);
		if (resumable != null) {
			resumable.receive((DrainingWebSocketSession) session, message);
		}
	}

	@Override
	public void handleTransportError(WebSocketSession session, Throwable exception) throws Exception {
		if (!negotiated(session)) {
			super.handleTransportError(session, exception);
			return;
		}
		// The session outlives its connection: the app hears of a close only if the client does not resume.
		logger.debug("WebSocket connection " + session.getId() + ": transport error", exception);
	}

	@Override
	public void afterConnectionClosed(WebSocketSession session, CloseStatus closeStatus) throws Exception {
		if (!negotiated(session)) {
			super.afterConnectionClosed(session, closeStatus);
			return;
		}
		ResumableSession resumable = this.sessions.sessionOf(session);
		if (resumable != null) {
			resumable.connectionClosed((DrainingWebSocketSession) session, closeStatus);
		}
	}

	/**
	 * Return whether a connection negotiated {@code wsdrain.v1}, and so carries a
	 * {@link ResumableSession} that replays what the connection fails to send.
	 * @param session a connection
	 * @return whether its accepted sub-protocol is {@code wsdrain.v1}
	 */
	public static boolean negotiated(WebSocketSession session) {
		return FrameCodec.PROTOCOL.equals(session.getAcceptedProtocol());
	}

}

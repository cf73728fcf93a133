package io.github.wsdrain.server;

import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.session.UnsentMessages;
import java.util.function.Predicate;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;

/**
 * Hands the wrapped handler a {@link DrainingWebSocketSession} in place of the
 * container's session, in every callback.
 */
public class DrainingWebSocketHandler extends WebSocketHandlerDecorator {

	private final DrainingSessionRegistry registry;

	private final Predicate<WebSocketSession> replayed;

	public DrainingWebSocketHandler(WebSocketHandler delegate, DrainingSessionRegistry registry) {
		this(delegate, registry, (session) -> false);
	}

	/**
	 * Create a handler whose sessions are created in their final mode.
	 * @param delegate the endpoint's handler
	 * @param registry creates and keeps the draining sessions
	 * @param replayed whether the messages a new connection fails to write are replayed
	 * by a session above it (known once the handshake has chosen the sub-protocol)
	 */
	public DrainingWebSocketHandler(WebSocketHandler delegate, DrainingSessionRegistry registry,
			Predicate<WebSocketSession> replayed) {
		super(delegate);
		this.registry = registry;
		this.replayed = replayed;
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession session) throws Exception {
		UnsentMessages unsent = this.replayed.test(session) ? UnsentMessages.REPLAYED : UnsentMessages.DROPPED;
		super.afterConnectionEstablished(this.registry.drainingSession(session, unsent, this));
	}

	/**
	 * Hand the message on, except a Pong that answers the session's close barrier: the
	 * application did not send that Ping.
	 */
	@Override
	public void handleMessage(WebSocketSession session, WebSocketMessage<?> message) throws Exception {
		DrainingWebSocketSession draining = this.registry.drainingSession(session);
		if (message instanceof PongMessage pong && draining.getCloseBarrier().consume(pong)) {
			return;
		}
		super.handleMessage(draining, message);
	}

	@Override
	public void handleTransportError(WebSocketSession session, Throwable exception) throws Exception {
		super.handleTransportError(this.registry.drainingSession(session), exception);
	}

	@Override
	public void afterConnectionClosed(WebSocketSession session, CloseStatus closeStatus) throws Exception {
		DrainingWebSocketSession draining = this.registry.drainingSession(session);
		draining.connectionClosed(closeStatus);
		super.afterConnectionClosed(draining, closeStatus);
	}

}

package io.github.wsdrain.server;

import io.github.wsdrain.session.DrainingWebSocketSession;
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

	public DrainingWebSocketHandler(WebSocketHandler delegate, DrainingSessionRegistry registry) {
		super(delegate);
		this.registry = registry;
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession session) throws Exception {
		super.afterConnectionEstablished(this.registry.drainingSession(session, this));
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

package io.github.wsdrain.server;

import io.github.wsdrain.protocol.ResumableSessions;
import io.github.wsdrain.protocol.ResumingWebSocketHandler;
import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.support.WebSocketHttpRequestHandler;

/**
 * The request handler that replaces an endpoint's own: same handshake handler and
 * interceptors, with a {@link DrainingWebSocketHandler} outermost.
 */
class DrainingWebSocketHttpRequestHandler extends WebSocketHttpRequestHandler {

	DrainingWebSocketHttpRequestHandler(WebSocketHttpRequestHandler original, DrainingSessionRegistry registry,
			@Nullable ResumableSessions resumable) {
		super(new DrainingWebSocketHandler(resuming(original, resumable), registry), original.getHandshakeHandler());
		setHandshakeInterceptors(original.getHandshakeInterceptors());
	}

	/** Offer {@code wsdrain.v1} where the endpoint can take it; clients that do not ask are untouched. */
	private static WebSocketHandler resuming(WebSocketHttpRequestHandler original,
			@Nullable ResumableSessions resumable) {
		WebSocketHandler handler = original.getWebSocketHandler();
		if (resumable == null || !ResumingWebSocketHandler.canServe(handler, original.getHandshakeHandler())) {
			return handler;
		}
		ResumingWebSocketHandler.advertise(original.getHandshakeHandler());
		return new ResumingWebSocketHandler(handler, resumable);
	}

	/**
	 * Keep the handler as given: the original handler already carries Spring's logging
	 * and exception decorators, and the draining one must stay outermost so that even
	 * their error closes go through the drain.
	 */
	@Override
	protected WebSocketHandler decorate(WebSocketHandler handler) {
		return handler;
	}


}

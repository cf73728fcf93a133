package io.github.wsdrain.server;

import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.support.WebSocketHttpRequestHandler;

/**
 * The request handler that replaces an endpoint's own: same handshake handler and
 * interceptors, with a {@link DrainingWebSocketHandler} outermost.
 */
class DrainingWebSocketHttpRequestHandler extends WebSocketHttpRequestHandler {

	DrainingWebSocketHttpRequestHandler(WebSocketHttpRequestHandler original, DrainingSessionRegistry registry) {
		super(new DrainingWebSocketHandler(original.getWebSocketHandler(), registry), original.getHandshakeHandler());
		setHandshakeInterceptors(original.getHandshakeInterceptors());
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

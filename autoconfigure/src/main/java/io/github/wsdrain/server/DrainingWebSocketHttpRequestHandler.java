package io.github.wsdrain.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.github.wsdrain.server.resume.ResumableSessions;
import io.github.wsdrain.server.resume.ResumingWebSocketHandler;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.support.WebSocketHttpRequestHandler;

/**
 * The request handler that replaces an endpoint's own: same handshake handler and
 * interceptors, with a {@link DrainingWebSocketHandler} outermost. While the registry's
 * {@link HandshakeGate} is closed, it refuses the handshake with 503 and
 * {@code Retry-After} before any interceptor runs.
 */
class DrainingWebSocketHttpRequestHandler extends WebSocketHttpRequestHandler {

	private final HandshakeGate handshakeGate;

	DrainingWebSocketHttpRequestHandler(WebSocketHttpRequestHandler original, DrainingSessionRegistry registry,
			@Nullable ResumableSessions resumable) {
		super(draining(resuming(original, resumable), registry), original.getHandshakeHandler());
		setHandshakeInterceptors(original.getHandshakeInterceptors());
		this.handshakeGate = registry.getHandshakeGate();
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

	/** Sessions of a connection that negotiated {@code wsdrain.v1} are created replayed. */
	private static DrainingWebSocketHandler draining(WebSocketHandler handler, DrainingSessionRegistry registry) {
		return (handler instanceof ResumingWebSocketHandler)
				? new DrainingWebSocketHandler(handler, registry, ResumingWebSocketHandler::negotiated)
				: new DrainingWebSocketHandler(handler, registry);
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

	@Override
	public void handleRequest(HttpServletRequest request, HttpServletResponse response)
			throws ServletException, IOException {
		Duration retryAfter = this.handshakeGate.getRetryAfter();
		if (retryAfter != null) {
			refuse(response, retryAfter);
			return;
		}
		super.handleRequest(request, response);
	}

	private static void refuse(HttpServletResponse response, Duration retryAfter) throws IOException {
		long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
		response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
		response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
		response.setContentType(MediaType.TEXT_PLAIN_VALUE);
		response.setCharacterEncoding(StandardCharsets.UTF_8.name());
		response.getWriter().write("WebSocket sessions are being drained; retry in " + seconds + " s\n");
	}

}

package io.github.wsdrain.protocol;

import java.io.IOException;
import java.security.Principal;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * A WebSocket app for the hostile-peer tests: two endpoints, {@code /resume} and
 * {@code /other}, whose handlers keep a session only while it is open, as an app that
 * does not leak would; a request header {@code X-Test-User} stands in for authentication.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableWebSocket
class HostileTestApplication implements WebSocketConfigurer {

	final Tracker resume = new Tracker("/resume");

	final Tracker other = new Tracker("/other");

	@org.springframework.context.annotation.Bean
	Filter testUsers() {
		return (request, response, chain) -> {
			String user = ((HttpServletRequest) request).getHeader(ResumeTestApplication.USER_HEADER);
			if (user == null) {
				chain.doFilter(request, response);
				return;
			}
			Principal principal = () -> user;
			chain.doFilter(new HttpServletRequestWrapper((HttpServletRequest) request) {

				@Override
				public Principal getUserPrincipal() {
					return principal;
				}

			}, response);
		};
	}

	@Override
	public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
		registry.addHandler(this.resume, this.resume.path());
		registry.addHandler(this.other, this.other.path());
	}

	/**
	 * Holds the open sessions and how each closed; hands each new session to the test.
	 */
	static final class Tracker extends TextWebSocketHandler {

		static final String FILL = "fill=";

		private final String path;

		final Map<String, WebSocketSession> open = new ConcurrentHashMap<>();

		final Map<String, CloseStatus> closed = new ConcurrentHashMap<>();

		final BlockingQueue<WebSocketSession> established = new LinkedBlockingQueue<>();

		final BlockingQueue<String> received = new LinkedBlockingQueue<>();

		Tracker(String path) {
			this.path = path;
		}

		String path() {
			return this.path;
		}

		@Override
		public void afterConnectionEstablished(WebSocketSession session) {
			this.open.put(session.getId(), session);
			this.established.add(session);
		}

		/** A message {@code fill=N} is answered with one message of N characters; any other is kept. */
		@Override
		protected void handleTextMessage(WebSocketSession session, TextMessage message) throws IOException {
			String payload = message.getPayload();
			if (payload.startsWith(FILL)) {
				session.sendMessage(new TextMessage("x".repeat(Integer.parseInt(payload.substring(FILL.length())))));
				return;
			}
			this.received.add(payload);
		}

		@Override
		public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
			this.open.remove(session.getId());
			this.closed.put(session.getId(), status);
		}

		WebSocketSession nextSession() throws InterruptedException {
			return require(this.established.poll(10, TimeUnit.SECONDS));
		}

		/** The session of the connection whose query has the probe; sessions of other connections are passed over. */
		WebSocketSession sessionWith(String probe) throws InterruptedException {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			while (System.nanoTime() < deadline) {
				WebSocketSession session = this.established.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
				if (session != null && session.getUri() != null && probe.equals(session.getUri().getQuery())) {
					return session;
				}
			}
			throw new IllegalStateException("No session with " + probe + " within 10 s");
		}

		void clear() {
			this.established.clear();
			this.received.clear();
		}

		private static WebSocketSession require(@Nullable WebSocketSession session) {
			if (session == null) {
				throw new IllegalStateException("No session within 10 s");
			}
			return session;
		}

	}

}

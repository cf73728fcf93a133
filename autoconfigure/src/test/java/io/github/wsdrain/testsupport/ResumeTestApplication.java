package io.github.wsdrain.testsupport;

import java.io.IOException;
import java.net.URI;
import java.security.Principal;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
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
import org.springframework.context.annotation.Bean;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

import static org.awaitility.Awaitility.await;

/**
 * A WebSocket app for the protocol and hostile-peer tests: {@code /resume} and
 * {@code /other} record what their handlers see, keeping a session only while it is open,
 * as an app that does not leak would; {@code /partial} takes partial messages, so wsdrain
 * does not offer its protocol there. A request header {@code X-Test-User} stands in for
 * authentication.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableWebSocket
public class ResumeTestApplication implements WebSocketConfigurer {

	public static final String USER_HEADER = "X-Test-User";

	/** A second endpoint, whose sessions a token of {@code /resume} must not resume. */
	public final Recorder other = new Recorder("/other");

	/** A wire-level client of {@code /resume}. */
	public static WireClient.Builder client(int port) {
		return WireClient.to(URI.create("ws://localhost:" + port + "/resume"));
	}

	@Bean
	Recorder recorder() {
		return new Recorder("/resume");
	}

	@Bean
	Filter testUsers() {
		return (request, response, chain) -> {
			String user = ((HttpServletRequest) request).getHeader(USER_HEADER);
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
		Recorder recorder = recorder();
		registry.addHandler(recorder, recorder.path());
		registry.addHandler(this.other, this.other.path());
		registry.addHandler(new AbstractWebSocketHandler() {

			@Override
			public boolean supportsPartialMessages() {
				// Partial messages cannot be numbered: wsdrain does not offer its protocol here.
				return true;
			}

		}, "/partial");
	}

	/**
	 * Records the sessions, messages and closes the app's handler sees. A message
	 * {@code fill=N} is answered with one message of N characters instead.
	 */
	public static class Recorder extends AbstractWebSocketHandler {

		public static final String FILL = "fill=";

		private final String path;

		public final BlockingQueue<WebSocketSession> established = new LinkedBlockingQueue<>();

		public final BlockingQueue<String> received = new LinkedBlockingQueue<>();

		/** The sessions open now, by id: one is let go when it closes. */
		public final Map<String, WebSocketSession> open = new ConcurrentHashMap<>();

		/**
		 * How each session closed, by id (no session is kept once closed). Not cleared
		 * between tests: an earlier test's session may close later, on its own.
		 */
		private final Map<String, CloseStatus> closed = new ConcurrentHashMap<>();

		public Recorder(String path) {
			this.path = path;
		}

		public String path() {
			return this.path;
		}

		@Override
		public void afterConnectionEstablished(WebSocketSession session) {
			this.open.put(session.getId(), session);
			this.established.add(session);
		}

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
		protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
			this.received.add("binary:" + message.getPayloadLength());
		}

		@Override
		public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
			this.open.remove(session.getId());
			this.closed.put(session.getId(), status);
		}

		public WebSocketSession nextSession() throws InterruptedException {
			return require(this.established.poll(10, TimeUnit.SECONDS), "session");
		}

		public String nextMessage() throws InterruptedException {
			return require(this.received.poll(10, TimeUnit.SECONDS), "message");
		}

		/** The session of the connection whose query is the probe; sessions of other connections are passed over. */
		public WebSocketSession sessionWith(String probe) throws InterruptedException {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			while (System.nanoTime() < deadline) {
				WebSocketSession session = this.established.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
				if (session != null && session.getUri() != null && probe.equals(session.getUri().getQuery())) {
					return session;
				}
			}
			throw new IllegalStateException("No session with " + probe + " within 10 s");
		}

		/** How the session closed, waiting up to 10 s for it. */
		public Closed closeOf(WebSocketSession session) {
			String id = session.getId();
			CloseStatus status = await().atMost(Duration.ofSeconds(10)).until(() -> this.closed.get(id), Objects::nonNull);
			return new Closed(session, status);
		}

		public boolean wasClosed(WebSocketSession session) {
			return this.closed.containsKey(session.getId());
		}

		public void clear() {
			this.established.clear();
			this.received.clear();
		}

		private static <T> T require(@Nullable T value, String what) {
			if (value == null) {
				throw new IllegalStateException("No " + what + " within 10 s");
			}
			return value;
		}

	}

	public record Closed(WebSocketSession session, CloseStatus status) {
	}

	public static void sendQuietly(WebSocketSession session, String text) {
		try {
			session.sendMessage(new TextMessage(text));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}

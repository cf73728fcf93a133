package io.github.wsdrain.testsupport;

import java.io.IOException;
import java.net.URI;
import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * A WebSocket app for the protocol tests: {@code /resume} records what its handler sees;
 * a request header {@code X-Test-User} stands in for authentication.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableWebSocket
public class ResumeTestApplication implements WebSocketConfigurer {

	public static final String USER_HEADER = "X-Test-User";

	/** A wire-level client of {@code /resume}. */
	public static WireClient.Builder client(int port) {
		return WireClient.to(URI.create("ws://localhost:" + port + "/resume"));
	}

	@Bean
	Recorder recorder() {
		return new Recorder();
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
		registry.addHandler(recorder(), "/resume");
		registry.addHandler(new AbstractWebSocketHandler() {

			@Override
			public boolean supportsPartialMessages() {
				// Partial messages cannot be numbered: wsdrain does not offer its protocol here.
				return true;
			}

		}, "/partial");
	}

	/**
	 * Records the sessions, messages and closes the app's handler sees.
	 */
	public static class Recorder extends AbstractWebSocketHandler {

		public final BlockingQueue<WebSocketSession> established = new LinkedBlockingQueue<>();

		public final BlockingQueue<String> received = new LinkedBlockingQueue<>();

		/** Not cleared between tests: an earlier test's session may close later, on its own. */
		public final List<Closed> closed = new CopyOnWriteArrayList<>();

		@Override
		public void afterConnectionEstablished(WebSocketSession session) {
			this.established.add(session);
		}

		@Override
		protected void handleTextMessage(WebSocketSession session, TextMessage message) {
			this.received.add(message.getPayload());
		}

		@Override
		protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
			this.received.add("binary:" + message.getPayloadLength());
		}

		@Override
		public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
			this.closed.add(new Closed(session, status));
		}

		public WebSocketSession nextSession() throws InterruptedException {
			return require(this.established.poll(10, TimeUnit.SECONDS), "session");
		}

		public String nextMessage() throws InterruptedException {
			return require(this.received.poll(10, TimeUnit.SECONDS), "message");
		}

		public Closed closeOf(WebSocketSession session) {
			return await().atMost(Duration.ofSeconds(10))
				.until(() -> this.closed.stream().filter((c) -> c.session() == session).findFirst(),
						Optional::isPresent)
				.get();
		}

		public boolean wasClosed(WebSocketSession session) {
			return this.closed.stream().anyMatch((c) -> c.session() == session);
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

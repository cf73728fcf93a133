package io.github.wsdrain.server;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

/**
 * A WebSocket app for the server tests: {@code /drained/bean} (a handler bean),
 * {@code /drained/plain-object} (a handler that is not a bean) and {@code /raw/bean}
 * (excluded), each handing the sessions it sees to the test.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableWebSocket
public class DrainTestApplication implements WebSocketConfigurer {

	private final SessionCapture notABean = new SessionCapture();

	@Bean
	public SessionCapture sessionCapture() {
		return new SessionCapture();
	}

	@Override
	public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
		registry.addHandler(sessionCapture(), "/drained/bean", "/raw/bean");
		registry.addHandler(this.notABean, "/drained/plain-object");
	}

	public SessionCapture notABean() {
		return this.notABean;
	}

	/**
	 * Hands every session it is given to the test.
	 */
	public static class SessionCapture extends AbstractWebSocketHandler {

		private final BlockingQueue<WebSocketSession> sessions = new LinkedBlockingQueue<>();

		@Override
		public void afterConnectionEstablished(WebSocketSession session) {
			this.sessions.add(session);
		}

		public WebSocketSession next() throws InterruptedException {
			WebSocketSession session = this.sessions.poll(10, TimeUnit.SECONDS);
			if (session == null) {
				throw new IllegalStateException("No WebSocket session established within 10 s");
			}
			return session;
		}

	}

}

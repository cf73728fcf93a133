package io.github.wsdrain.benchmarks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

/**
 * The server under test: embedded Tomcat on a random port with the wsdrain
 * auto-configuration. {@code /drained} gets draining sessions; {@code /plain} is excluded
 * ({@code wsdrain.server.excluded-paths}) and gets the container's own session, which the
 * benchmark uses as is or wraps in Spring's {@code ConcurrentWebSocketSessionDecorator}
 * (or in draining sessions of its own, with and without metrics).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableWebSocket
class BenchServer implements WebSocketConfigurer {

	/** Large enough that neither buffer ever refuses a message of a throughput or drain run. */
	static final int SEND_BUFFER_BYTES = 256 * 1024 * 1024;

	private final SessionCapture drained = new SessionCapture();

	private final SessionCapture plain = new SessionCapture();

	@Override
	public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
		registry.addHandler(this.drained, "/drained");
		registry.addHandler(this.plain, "/plain");
	}

	SessionCapture drained() {
		return this.drained;
	}

	SessionCapture plain() {
		return this.plain;
	}

	static ConfigurableApplicationContext start() {
		return start(Map.of());
	}

	/**
	 * Start a server with the benchmark's settings and some more (or other) properties.
	 * @param more properties added to the benchmark's, e.g. another resume store
	 * @return the running context
	 */
	static ConfigurableApplicationContext start(Map<String, Object> more) {
		Map<String, Object> properties = new HashMap<>(Map.of(
				"server.port", "0",
				"server.address", "127.0.0.1",
				"server.tomcat.max-connections", "20000",
				"server.tomcat.accept-count", "4096",
				"spring.main.banner-mode", "off",
				"logging.level.root", "WARN",
				"wsdrain.server.excluded-paths", "/plain/**",
				"wsdrain.server.send-buffer-size", SEND_BUFFER_BYTES + "B",
				"wsdrain.server.drain-timeout", "60s",
				// Micrometer is on the class path for the cost-of-metrics cells, which bind their own:
				// every other cell measures the server without metrics.
				"spring.autoconfigure.exclude", "io.github.wsdrain.autoconfigure.WsDrainMetricsAutoConfiguration"));
		properties.putAll(more);
		return new SpringApplicationBuilder(BenchServer.class).properties(properties).run();
	}

	static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	/**
	 * Hands each new server session to the benchmark; ignores what clients send.
	 */
	static final class SessionCapture extends AbstractWebSocketHandler {

		private final BlockingQueue<WebSocketSession> sessions = new LinkedBlockingQueue<>();

		@Override
		public void afterConnectionEstablished(WebSocketSession session) {
			this.sessions.add(session);
		}

		WebSocketSession next() throws InterruptedException {
			WebSocketSession session = this.sessions.poll(30, TimeUnit.SECONDS);
			if (session == null) {
				throw new IllegalStateException("No WebSocket session established within 30 s");
			}
			return session;
		}

		/** Whether every session established so far was taken. */
		boolean isEmpty() {
			return this.sessions.isEmpty();
		}

		List<WebSocketSession> next(int count) throws InterruptedException {
			List<WebSocketSession> result = new ArrayList<>(count);
			for (int i = 0; i < count; i++) {
				result.add(next());
			}
			return result;
		}

	}

}

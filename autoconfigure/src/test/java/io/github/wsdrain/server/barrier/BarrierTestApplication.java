package io.github.wsdrain.server.barrier;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.session.DrainSettings;
import io.github.wsdrain.session.DrainingWebSocketSession;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * A WebSocket app for the close barrier tests: {@code /burst?count=N} sends N messages of
 * 64 bytes from one thread, then closes; {@code /raw/burst?count=N} does the same through
 * a draining session without the barrier (the path is excluded from wsdrain);
 * {@code /pongs} hands its sessions and the Pongs it receives to the test.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableWebSocket
class BarrierTestApplication implements WebSocketConfigurer {

	static final int MESSAGE_BYTES = 64;

	@Bean
	BurstHandler burstHandler() {
		return new BurstHandler(null);
	}

	@Bean
	BurstHandler noBarrierBurstHandler() {
		return new BurstHandler(
				new DrainingSessionRegistry(DrainSettings.DEFAULTS.withCloseBarrierTimeout(Duration.ZERO), List.of()));
	}

	@Bean
	PongHandler pongHandler() {
		return new PongHandler();
	}

	@Override
	public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
		registry.addHandler(burstHandler(), "/burst");
		registry.addHandler(noBarrierBurstHandler(), "/raw/burst");
		registry.addHandler(pongHandler(), "/pongs");
	}

	/**
	 * Sends {@code count} numbered messages from one thread, then closes the session.
	 */
	static class BurstHandler extends TextWebSocketHandler implements DisposableBean {

		private final DrainingSessionRegistry ownRegistry;

		private final ExecutorService senders = Executors.newCachedThreadPool();

		private final BlockingQueue<DrainingWebSocketSession> sessions = new LinkedBlockingQueue<>();

		/**
		 * @param ownRegistry makes the draining session on an excluded path, or
		 * {@code null} when wsdrain already gives one
		 */
		BurstHandler(DrainingSessionRegistry ownRegistry) {
			this.ownRegistry = ownRegistry;
		}

		@Override
		public void afterConnectionEstablished(WebSocketSession session) {
			DrainingWebSocketSession draining = (this.ownRegistry != null) ? this.ownRegistry.drainingSession(session)
					: (DrainingWebSocketSession) session;
			int count = Integer.parseInt(session.getUri().getQuery().replace("count=", ""));
			this.sessions.add(draining);
			this.senders.execute(() -> {
				try {
					for (int i = 0; i < count; i++) {
						draining.sendMessage(new TextMessage(String.format("%0" + MESSAGE_BYTES + "d", i)));
					}
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
				draining.close();
			});
		}

		DrainingWebSocketSession next() throws InterruptedException {
			DrainingWebSocketSession session = this.sessions.poll(10, TimeUnit.SECONDS);
			if (session == null) {
				throw new IllegalStateException("No WebSocket session established within 10 s");
			}
			return session;
		}

		@Override
		public void destroy() {
			this.senders.shutdownNow();
			if (this.ownRegistry != null) {
				this.ownRegistry.destroy();
			}
		}

	}

	/**
	 * Hands its sessions and the payloads of the Pongs it receives to the test.
	 */
	static class PongHandler extends AbstractWebSocketHandler {

		final BlockingQueue<DrainingWebSocketSession> sessions = new LinkedBlockingQueue<>();

		final BlockingQueue<String> pongs = new LinkedBlockingQueue<>();

		@Override
		public void afterConnectionEstablished(WebSocketSession session) {
			this.sessions.add((DrainingWebSocketSession) session);
		}

		@Override
		protected void handlePongMessage(WebSocketSession session, PongMessage message) {
			ByteBuffer payload = message.getPayload();
			this.pongs.add(StandardCharsets.UTF_8.decode(payload.duplicate()).toString());
		}

	}

}

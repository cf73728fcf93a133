package io.github.wsdrain.benchmarks;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.wsdrain.client.BufferedWebSocketClient;
import io.github.wsdrain.client.BufferedWebSocketConnection;
import io.github.wsdrain.client.ConnectionClosedException;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.handler.BinaryWebSocketHandler;

/**
 * The two receiving sides of the client cell, both on Spring's
 * {@link StandardWebSocketClient} (Tomcat's JSR-356 client): wsdrain's
 * {@link BufferedWebSocketClient} with a consumer thread calling {@code receive()} until
 * {@link ConnectionClosedException}, and a plain {@link BinaryWebSocketHandler} counting
 * messages as the container delivers them.
 */
final class ClientReceive {

	/** What one receiving side saw: messages, bytes, the receipt of the last expected one, the close code. */
	record Result(long messages, long bytes, long lastMessageNanos, int closeCode) {

	}

	/** A connected receiver; {@link #result()} completes once the connection has ended. */
	interface Receiver {

		CompletableFuture<Result> result();

	}

	private ClientReceive() {
	}

	/**
	 * Connect a buffering client and start its consumer thread, which takes messages with
	 * {@code receive()} until it throws {@link ConnectionClosedException}.
	 */
	static Receiver buffered(BufferedWebSocketClient client, URI uri, long expected) {
		BufferedWebSocketConnection connection = client.connect(uri);
		CompletableFuture<Result> result = new CompletableFuture<>();
		Thread consumer = new Thread(() -> {
			long messages = 0;
			long bytes = 0;
			long last = 0;
			try {
				while (true) {
					WebSocketMessage<?> message = connection.receive();
					messages++;
					bytes += message.getPayloadLength();
					if (messages == expected) {
						last = System.nanoTime();
					}
				}
			}
			catch (ConnectionClosedException ex) {
				result.complete(new Result(messages, bytes, last, ex.getCode()));
			}
			catch (Throwable ex) {
				result.completeExceptionally(ex);
			}
			finally {
				connection.close();
			}
		}, "bench-buffered-consumer");
		consumer.setDaemon(true);
		consumer.start();
		return () -> result;
	}

	/** Connect a plain Spring handler that counts what the container delivers. */
	static Receiver handler(StandardWebSocketClient client, URI uri, long expected) throws Exception {
		CountingHandler handler = new CountingHandler(expected);
		client.execute(handler, new WebSocketHttpHeaders(), uri).get(30, TimeUnit.SECONDS);
		return () -> handler.result;
	}

	static final class CountingHandler extends BinaryWebSocketHandler {

		private final long expected;

		private final AtomicLong messages = new AtomicLong();

		private final AtomicLong bytes = new AtomicLong();

		private volatile long last;

		final CompletableFuture<Result> result = new CompletableFuture<>();

		CountingHandler(long expected) {
			this.expected = expected;
		}

		@Override
		protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
			this.bytes.addAndGet(message.getPayloadLength());
			if (this.messages.incrementAndGet() == this.expected) {
				this.last = System.nanoTime();
			}
		}

		@Override
		public void handleTransportError(WebSocketSession session, Throwable exception) {
			this.result.completeExceptionally(exception);
		}

		@Override
		public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
			this.result.complete(new Result(this.messages.get(), this.bytes.get(), this.last, status.getCode()));
		}

	}

}

package io.github.wsdrain.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A JDK {@link WebSocket} client that counts the messages and payload bytes it
 * receives and can stop asking for more (so that the server's writes back up) until
 * {@link #resume()}.
 */
final class ReceivingClient implements WebSocket.Listener {

	private final AtomicLong messages = new AtomicLong();

	private final AtomicLong bytes = new AtomicLong();

	private final CompletableFuture<Close> closed = new CompletableFuture<>();

	private volatile boolean paused;

	/** A request(1) withheld while paused. */
	private final AtomicBoolean owed = new AtomicBoolean();

	private volatile long pingNanos;

	private volatile long target = Long.MAX_VALUE;

	private volatile CompletableFuture<Long> targetReached = new CompletableFuture<>();

	private volatile WebSocket webSocket;

	private ReceivingClient(boolean paused) {
		this.paused = paused;
	}

	static ReceivingClient connect(HttpClient httpClient, URI uri, boolean paused) throws Exception {
		ReceivingClient client = new ReceivingClient(paused);
		httpClient.newWebSocketBuilder().buildAsync(uri, client).get(30, TimeUnit.SECONDS);
		return client;
	}

	/**
	 * Return a future completed with {@link System#nanoTime()} at the receipt of the
	 * message that brings the total received on this connection to {@code total}.
	 */
	CompletableFuture<Long> whenReceived(long total) {
		CompletableFuture<Long> future = new CompletableFuture<>();
		this.targetReached = future;
		this.target = total;
		if (this.messages.get() >= total) {
			future.complete(System.nanoTime());
		}
		return future;
	}

	void pause() {
		this.paused = true;
	}

	void resume() {
		this.paused = false;
		if (this.owed.compareAndSet(true, false)) {
			this.webSocket.request(1);
		}
	}

	long messages() {
		return this.messages.get();
	}

	long bytes() {
		return this.bytes.get();
	}

	/** {@link System#nanoTime()} at the receipt of the last Ping; the JDK answers it with a Pong by itself. */
	long pingNanos() {
		return this.pingNanos;
	}

	CompletableFuture<Close> closed() {
		return this.closed;
	}

	void abort() {
		WebSocket ws = this.webSocket;
		if (ws != null) {
			ws.abort();
		}
	}

	@Override
	public void onOpen(WebSocket webSocket) {
		this.webSocket = webSocket;
		demand(webSocket);
	}

	@Override
	public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
		this.bytes.addAndGet(data.remaining());
		if (last) {
			received();
		}
		demand(webSocket);
		return null;
	}

	@Override
	public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
		this.bytes.addAndGet(data.length());
		if (last) {
			received();
		}
		demand(webSocket);
		return null;
	}

	@Override
	public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
		this.pingNanos = System.nanoTime();
		demand(webSocket);
		return null;
	}

	@Override
	public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
		this.closed.complete(new Close(statusCode, reason, System.nanoTime()));
		return null;
	}

	@Override
	public void onError(WebSocket webSocket, Throwable error) {
		this.closed.completeExceptionally(error);
		this.targetReached.completeExceptionally(error);
	}

	private void received() {
		long count = this.messages.incrementAndGet();
		if (count == this.target) {
			this.targetReached.complete(System.nanoTime());
		}
	}

	private void demand(WebSocket webSocket) {
		if (!this.paused) {
			webSocket.request(1);
			return;
		}
		this.owed.set(true);
		// resume() may have run between the check and the flag: do not lose the request.
		if (!this.paused && this.owed.compareAndSet(true, false)) {
			webSocket.request(1);
		}
	}

	/**
	 * The close frame the client received.
	 *
	 * @param code the status code
	 * @param reason the reason
	 * @param nanos {@link System#nanoTime()} at its receipt
	 */
	record Close(int code, String reason, long nanos) {

	}

}

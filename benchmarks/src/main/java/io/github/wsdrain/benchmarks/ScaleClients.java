package io.github.wsdrain.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clients of the scale runs, in a JVM of their own: 10,000 connections need 20,000
 * sockets, more than one process may open here. Connects N JDK WebSockets, prints
 * {@code CONNECTED n}, counts every message until every connection has closed, then
 * prints {@code RESULT received=… lastCloseNanos=… codes=…}. Both JVMs read the same
 * monotonic clock ({@code System.nanoTime()} is {@code CLOCK_MONOTONIC} on Linux).
 */
public final class ScaleClients {

	private static final int CONNECTS_IN_FLIGHT = 64;

	private final AtomicLong received = new AtomicLong();

	private final AtomicLong lastCloseNanos = new AtomicLong();

	private final Map<Integer, AtomicInteger> closeCodes = new ConcurrentHashMap<>();

	private final CountDownLatch closed;

	private ScaleClients(int count) {
		this.closed = new CountDownLatch(count);
	}

	public static void main(String[] args) throws Exception {
		URI uri = URI.create(args[0]);
		int count = Integer.parseInt(args[1]);
		System.exit(new ScaleClients(count).run(uri, count));
	}

	private int run(URI uri, int count) throws Exception {
		HttpClient httpClient = HttpClient.newHttpClient();
		Semaphore inFlight = new Semaphore(CONNECTS_IN_FLIGHT);
		List<CompletableFuture<WebSocket>> connections = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			inFlight.acquire();
			connections.add(httpClient.newWebSocketBuilder()
				.buildAsync(uri, new Listener())
				.whenComplete((webSocket, ex) -> inFlight.release()));
		}
		try {
			CompletableFuture.allOf(connections.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			System.out.println("ERROR connecting: " + ex);
			return 2;
		}
		System.out.println("CONNECTED " + count);
		System.out.flush();
		if (!this.closed.await(300, TimeUnit.SECONDS)) {
			System.out.println("ERROR only " + (count - this.closed.getCount()) + " of " + count + " closed");
			return 3;
		}
		StringBuilder codes = new StringBuilder();
		new TreeMap<>(this.closeCodes).forEach((code, n) -> codes.append(codes.isEmpty() ? "" : ",")
			.append(code)
			.append(':')
			.append(n.get()));
		System.out.println("RESULT received=" + this.received.get() + " lastCloseNanos=" + this.lastCloseNanos.get()
				+ " codes=" + codes);
		System.out.flush();
		return 0;
	}

	private final class Listener implements WebSocket.Listener {

		@Override
		public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
			return message(webSocket, last);
		}

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			return message(webSocket, last);
		}

		private CompletionStage<?> message(WebSocket webSocket, boolean last) {
			if (last) {
				received.incrementAndGet();
			}
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			ended(statusCode);
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			// -1: the connection ended without a close frame.
			ended(-1);
		}

		private void ended(int code) {
			lastCloseNanos.accumulateAndGet(System.nanoTime(), Math::max);
			closeCodes.computeIfAbsent(code, (key) -> new AtomicInteger()).incrementAndGet();
			closed.countDown();
		}

	}

}

package io.github.wsdrain.server.resume.redis;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.github.wsdrain.client.BufferedWebSocketClient;
import io.github.wsdrain.client.ReliableConnectionListener;
import io.github.wsdrain.client.ReliableWebSocketConnection;

import org.springframework.web.socket.TextMessage;

import static org.awaitility.Awaitility.await;

/**
 * Reliable clients of the multi-node app's {@code /both}: each sends {@code c-1}…{@code c-N}
 * from one thread and collects what its consumer takes until the server's normal close.
 */
final class ReliableClients implements AutoCloseable {

	private final BufferedWebSocketClient client = new BufferedWebSocketClient();

	private final ExecutorService threads = Executors.newCachedThreadPool();

	private final AtomicInteger notRecovered = new AtomicInteger();

	private final List<ReliableWebSocketConnection> connections;

	private final List<AtomicInteger> taken;

	/** What each consumer took so far, also when its session ends badly. */
	private final List<List<String>> takenSoFar;

	private final List<CompletableFuture<List<String>>> received;

	ReliableClients(int proxyPort, int sessions, int messages) {
		// Every connection may be cut before its session frame on a busy machine: retry at a steady
		// pace, without the default back-off's growth to 10 s, and wait longer for a message.
		this.client.setReconnectBackOff(
				BufferedWebSocketClient.reconnectBackOff(Duration.ofMillis(50), Duration.ofMillis(500), 2.0, 1000));
		this.client.setReceiveTimeout(Duration.ofSeconds(120));
		ReliableConnectionListener listener = new ReliableConnectionListener() {

			@Override
			public void notRecovered(ReliableWebSocketConnection connection) {
				ReliableClients.this.notRecovered.incrementAndGet();
			}

		};
		this.connections = IntStream.range(0, sessions)
			.mapToObj((i) -> this.client.connectReliable(
					URI.create("ws://localhost:" + proxyPort + "/both?client=c" + i), listener))
			.toList();
		this.taken = IntStream.range(0, sessions).mapToObj((i) -> new AtomicInteger()).toList();
		this.takenSoFar = IntStream.range(0, sessions)
			.mapToObj((i) -> Collections.synchronizedList(new ArrayList<String>()))
			.toList();
		this.received = IntStream.range(0, sessions)
			.mapToObj((i) -> CompletableFuture.supplyAsync(() -> exchange(i, messages), this.threads))
			.toList();
	}

	private List<String> exchange(int i, int messages) {
		ReliableWebSocketConnection connection = this.connections.get(i);
		CompletableFuture<Void> sending = CompletableFuture.runAsync(
				() -> IntStream.rangeClosed(1, messages).forEach((n) -> connection.sendText("c-" + n)), this.threads);
		List<String> payloads = connection.messages().map((message) -> {
			String payload = ((TextMessage) message).getPayload();
			this.takenSoFar.get(i).add(payload);
			this.taken.get(i).incrementAndGet();
			return payload;
		}).toList();
		sending.join();
		return payloads;
	}

	/** Wait until every consumer has taken at least this many messages. */
	void awaitEachTook(int count, Duration timeout) {
		await().atMost(timeout).until(() -> this.taken.stream().allMatch((n) -> n.get() >= count));
	}

	CompletableFuture<List<String>> received(int session) {
		return this.received.get(session);
	}

	List<String> takenSoFar(int session) {
		return List.copyOf(this.takenSoFar.get(session));
	}

	int notRecovered() {
		return this.notRecovered.get();
	}

	int resumes() {
		return this.connections.stream().mapToInt(ReliableWebSocketConnection::getResumes).sum();
	}

	@Override
	public void close() {
		this.threads.shutdownNow();
		this.client.close();
	}

}

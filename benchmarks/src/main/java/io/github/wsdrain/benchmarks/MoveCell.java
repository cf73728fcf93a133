package io.github.wsdrain.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.client.BufferedWebSocketClient;
import io.github.wsdrain.client.BufferedWebSocketConnection;
import io.github.wsdrain.client.ConnectionClosedException;
import io.github.wsdrain.server.resume.ResumableSession;
import io.github.wsdrain.session.CloseResult;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;

import static io.github.wsdrain.benchmarks.Bench.KB;
import static io.github.wsdrain.benchmarks.Bench.WAIT_SECONDS;
import static io.github.wsdrain.benchmarks.Bench.await;
import static io.github.wsdrain.benchmarks.Bench.check;
import static io.github.wsdrain.benchmarks.Bench.filler;
import static io.github.wsdrain.benchmarks.Bench.log;

/**
 * The protocol's throughput across a move: two nodes with the Redis store share one
 * {@code redis-server} behind a {@link LoopbackProxy}; a reliable
 * {@link BufferedWebSocketClient} receives numbered 1 KB messages from the node the
 * proxy sends it to. Halfway through, the proxy cuts the connection and sends the
 * client's reconnect to the other node, whose app takes the session over and goes on
 * from its {@link ResumableSession#getLastSent() last sent message}. Against the same
 * stream from one node, through the same proxy, with no cut. Every run checks that
 * every message arrived once and in order, and the close.
 */
final class MoveCell {

	/** A run with or without the move. */
	enum Variant {

		STAY("one node, no cut"), MOVE("cut halfway, resumed on the other node");

		final String label;

		Variant(String label) {
			this.label = label;
		}

	}

	/**
	 * What the cell measured.
	 * @param count messages per run
	 * @param rates messages/s by variant, run i of each in the same round
	 * @param longestGaps the longest wait between two messages at the client in each run, ms
	 */
	record Result(int count, Map<Variant, double[]> rates, Map<Variant, double[]> longestGaps) {

	}

	/** What one run took: first send to the last message's receipt, and the longest wait between two. */
	private record Run(long wallNanos, long longestGapNanos) {

	}

	/** What a node's sender did: the first number it sent, and the close, unless the session moved away. */
	private record Sent(long first, CloseResult closed) {

	}

	private final BenchContext bench;

	private final BenchServer[] nodes;

	private final int[] ports;

	/**
	 * A cell over two nodes that share one Redis store.
	 * @param bench the run
	 * @param nodeA the node every run starts on
	 * @param portA its port
	 * @param nodeB the node a session moves to
	 * @param portB its port
	 */
	MoveCell(BenchContext bench, BenchServer nodeA, int portA, BenchServer nodeB, int portB) {
		this.bench = bench;
		this.nodes = new BenchServer[] { nodeA, nodeB };
		this.ports = new int[] { portA, portB };
	}

	Result measure(int count) throws Exception {
		BufferedWebSocketClient client = new BufferedWebSocketClient(new StandardWebSocketClient());
		client.setReliable(true);
		List<Variant> pair = List.of(Variant.STAY, Variant.MOVE);
		int rounds = this.bench.runs() * Bench.THROUGHPUT_RUNS_FACTOR;
		Map<Variant, double[]> rates = new LinkedHashMap<>();
		Map<Variant, double[]> gaps = new LinkedHashMap<>();
		pair.forEach((variant) -> rates.put(variant, new double[rounds]));
		pair.forEach((variant) -> gaps.put(variant, new double[rounds]));
		log("wsdrain.v1 across a move between two nodes with the Redis store, 1 KB messages, %,d per run", count);
		try (LoopbackProxy proxy = new LoopbackProxy(this.ports[0])) {
			URI uri = URI.create("ws://127.0.0.1:" + proxy.port() + "/drained");
			for (int w = 0; w < this.bench.warmups(); w++) {
				for (Variant variant : pair) {
					run(client, proxy, uri, variant, count);
				}
			}
			for (int r = 0; r < rounds; r++) {
				for (int k = 0; k < 2; k++) {
					Variant variant = pair.get((r % 2 == 0) ? k : 1 - k);
					Run run = run(client, proxy, uri, variant, count);
					rates.get(variant)[r] = count / (run.wallNanos() / 1e9);
					gaps.get(variant)[r] = run.longestGapNanos() / 1e6;
				}
				log("  round %d/%d: one node %,.0f/s; across a move %,.0f/s (longest wait %.0f ms)", r + 1, rounds,
						rates.get(Variant.STAY)[r], rates.get(Variant.MOVE)[r], gaps.get(Variant.MOVE)[r]);
			}
		}
		return new Result(count, rates, gaps);
	}

	/**
	 * One run from node A: the client connects through the proxy; with the move, once it
	 * has received half the messages, the proxy sends new connections to node B and cuts.
	 */
	private Run run(BufferedWebSocketClient client, LoopbackProxy proxy, URI uri, Variant variant, int count)
			throws Exception {
		System.gc();
		proxy.route(this.ports[0]);
		NumberedReceiver receiver = new NumberedReceiver(client.connect(uri), count);
		ResumableSession first = resumable(this.nodes[0].drained().next(), variant);
		check(first.getOrigin() == null, "move run, %s: a new session came with an origin %s", variant,
				first.getOrigin());
		CountDownLatch start = new CountDownLatch(1);
		Future<Sent> firstSent = send(first, count, start);
		Future<Sent> lastSent = firstSent;
		long started = System.nanoTime();
		start.countDown();
		if (variant == Variant.MOVE) {
			await(receiver.halfway, "half the messages before the cut");
			proxy.route(this.ports[1]);
			proxy.cut();
			ResumableSession moved = resumable(this.nodes[1].drained().next(), variant);
			check(moved.getOrigin() != null && !moved.getOrigin().sameNode(),
					"move run: the session on the other node came from %s, expected node A", moved.getOrigin());
			lastSent = send(moved, count, null);
		}
		Received received = await(receiver.result, "the client to see the close after " + count + " messages");
		Sent last = lastSent.get(WAIT_SECONDS, TimeUnit.SECONDS);
		check(received.messages() == count, "move run, %s: %,d messages in order, expected %,d", variant,
				received.messages(), count);
		check(received.closeCode() == CloseStatus.NORMAL.getCode(), "move run, %s: close code %d, expected 1000",
				variant, received.closeCode());
		check(last.closed() != null && last.closed().dropped() == 0 && !last.closed().drainTimedOut()
				&& last.closed().unacknowledged() == 0, "move run, %s: the last node's close %s", variant, last.closed());
		if (variant == Variant.MOVE) {
			Sent before = firstSent.get(WAIT_SECONDS, TimeUnit.SECONDS);
			check(before.closed() == null, "move run: node A sent every message before the cut; nothing moved");
			check(last.first() > count / 2, "move run: node B went on from message %,d, before the cut at %,d",
					last.first(), count / 2);
		}
		check(this.nodes[0].drained().isEmpty() && this.nodes[1].drained().isEmpty(),
				"move run, %s: a session more than the run opened", variant);
		return new Run(received.lastNanos() - started, received.longestGapNanos());
	}

	private static ResumableSession resumable(WebSocketSession session, Variant variant) {
		check(session instanceof ResumableSession, "move run, %s: server session %s", variant, session);
		return (ResumableSession) session;
	}

	/**
	 * The app's side on one node: numbered messages from the session's last sent one on,
	 * then a close once the client has acknowledged them; a session resumed on another
	 * node refuses the next message, and this node stops.
	 */
	private Future<Sent> send(ResumableSession session, int count, CountDownLatch start) {
		return this.bench.senders().submit(() -> {
			if (start != null) {
				start.await();
			}
			long first = session.getLastSent() + 1;
			try {
				for (long i = first; i <= count; i++) {
					session.sendMessage(new BinaryMessage(numbered(i)));
				}
			}
			catch (IOException ex) {
				return new Sent(first, null);
			}
			return new Sent(first, session.closeAsync(CloseStatus.NORMAL).get(WAIT_SECONDS, TimeUnit.SECONDS));
		});
	}

	/** 1 KB whose first eight bytes are its number. */
	private static ByteBuffer numbered(long number) {
		ByteBuffer payload = ByteBuffer.wrap(filler(KB));
		payload.putLong(0, number);
		return payload;
	}

	/**
	 * What the client's consumer saw: messages in order from 1 (it stops counting at the
	 * first one out of order), the receipt of the last, the longest wait between two, the
	 * close code.
	 */
	private record Received(long messages, long lastNanos, long longestGapNanos, int closeCode) {

	}

	/** A consumer thread calling {@code receive()} until the connection is closed, checking each number. */
	private static final class NumberedReceiver {

		final CompletableFuture<Void> halfway = new CompletableFuture<>();

		final CompletableFuture<Received> result = new CompletableFuture<>();

		NumberedReceiver(BufferedWebSocketConnection connection, int count) {
			Thread consumer = new Thread(() -> {
				long expected = 1;
				long last = 0;
				long longestGap = 0;
				boolean inOrder = true;
				try {
					while (true) {
						WebSocketMessage<?> message = connection.receive();
						long now = System.nanoTime();
						ByteBuffer payload = (ByteBuffer) message.getPayload();
						if (inOrder && (payload.remaining() != KB || payload.getLong(payload.position()) != expected)) {
							log("  move run: message %,d has %,d bytes and number %,d", expected, payload.remaining(),
									payload.getLong(payload.position()));
							inOrder = false;
						}
						if (inOrder) {
							longestGap = (last != 0) ? Math.max(longestGap, now - last) : 0;
							last = now;
							if (expected == count / 2) {
								this.halfway.complete(null);
							}
							expected++;
						}
					}
				}
				catch (ConnectionClosedException ex) {
					this.halfway.complete(null);
					this.result.complete(new Received(expected - 1, last, longestGap, ex.getCode()));
				}
				catch (Throwable ex) {
					this.halfway.completeExceptionally(ex);
					this.result.completeExceptionally(ex);
				}
				finally {
					connection.close();
				}
			}, "bench-move-consumer");
			consumer.setDaemon(true);
			consumer.start();
		}

	}

}

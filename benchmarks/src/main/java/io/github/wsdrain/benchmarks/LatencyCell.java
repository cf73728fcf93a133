package io.github.wsdrain.benchmarks;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Function;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;

/**
 * Single-message latency: one 1 KB message at a time, the next only once the client has
 * read the previous one, so that nothing is ever queued; from {@code sendMessage} to the
 * client's receipt. The container's session on {@code /plain} and the draining session
 * on {@code /drained}, one connection per run, the two in ABBA pairs.
 */
final class LatencyCell {

	static final int SIZE = 1024;

	/**
	 * Pairs per measured run of the other cells: each pair is two new connections, and a
	 * connection's median takes one of two values for the whole run (here about 12 or
	 * 40 µs, wherever its threads landed), so the ratio needs many pairs to measure the
	 * code rather than that draw.
	 */
	static final int RUNS_FACTOR = 9;

	/** Per-run medians and 99th percentiles, microseconds; index 0 plain, 1 wsdrain. */
	record Result(int messages, double[][] medians, double[][] p99) {

	}

	private final BenchServer server;

	private final Function<String, URI> uri;

	LatencyCell(BenchServer server, Function<String, URI> uri) {
		this.server = server;
		this.uri = uri;
	}

	Result measure(int rounds, int warmups, int messages) throws Exception {
		Bench.log("Latency, one %s message at a time, %,d per run", Bench.bytes(SIZE), messages);
		for (int w = 0; w < warmups; w++) {
			run(false, messages);
			run(true, messages);
		}
		double[][] medians = new double[2][rounds];
		double[][] p99 = new double[2][rounds];
		for (int r = 0; r < rounds; r++) {
			for (int k = 0; k < 2; k++) {
				int variant = (r % 2 == 0) ? k : 1 - k;
				double[] latencies = run(variant == 1, messages);
				Arrays.sort(latencies);
				medians[variant][r] = latencies[latencies.length / 2];
				p99[variant][r] = latencies[(int) (latencies.length * 0.99)];
			}
			Bench.log("  round %d/%d: plain %.1f µs; wsdrain %.1f µs (medians)", r + 1, rounds,
					medians[0][r], medians[1][r]);
		}
		return new Result(messages, medians, p99);
	}

	private double[] run(boolean drained, int messages) throws Exception {
		System.gc();
		try (FrameReader client = FrameReader.connect(this.uri.apply(drained ? "/drained" : "/plain"))) {
			WebSocketSession session = (drained ? this.server.drained() : this.server.plain()).next();
			if (drained) {
				Bench.requireDraining(session);
			}
			ByteBuffer payload = ByteBuffer.wrap(Bench.filler(SIZE));
			double[] micros = new double[messages];
			for (int i = 0; i < messages; i++) {
				var receipt = client.whenReceived(i + 1L);
				long sent = System.nanoTime();
				session.sendMessage(new BinaryMessage(payload.duplicate()));
				micros[i] = (Bench.await(receipt, "message " + (i + 1) + " of a latency run") - sent) / 1e3;
			}
			Bench.check(client.bytes() == (long) messages * SIZE, "latency run: %d bytes received",
					client.bytes());
			Bench.closeAndAwait(session, client.closed(), CloseStatus.NORMAL);
			return micros;
		}
	}

}

package io.github.wsdrain.benchmarks;

import java.util.List;
import java.util.Map;

import io.github.wsdrain.benchmarks.RedisCells.Store;

/**
 * {@code wsdrain.v1} with the Redis resume store: throughput against the memory store,
 * and what Redis holds per unacknowledged byte.
 */
final class RedisSection implements Section {

	private String skipped;

	private int count;

	private Map<Store, double[]> rates;

	private Map<Store, double[]> cpu;

	private MoveCell.Result move;

	private int unacknowledged;

	private double[] usedPerByte;

	private double[] streamPerByte;

	/** The cells did not run, for the reason given. */
	void skipped(String message) {
		this.skipped = message;
	}

	void stores(int count, Map<Store, double[]> rates, Map<Store, double[]> cpu) {
		this.count = count;
		this.rates = rates;
		this.cpu = cpu;
	}

	void move(MoveCell.Result move) {
		this.move = move;
	}

	void memory(int messages, double[] usedPerByte, double[] streamPerByte) {
		this.unacknowledged = messages;
		this.usedPerByte = usedPerByte;
		this.streamPerByte = streamPerByte;
	}

	@Override
	public void render(Markdown md) {
		if (this.skipped == null && this.rates == null && this.move == null && this.usedPerByte == null) {
			return;
		}
		md.text("\n### `wsdrain.v1` with the Redis store\n\n");
		if (this.skipped != null) {
			md.text(this.skipped).text(".\n");
			return;
		}
		if (this.rates != null) {
			renderStores(md);
		}
		if (this.move != null) {
			renderMove(md);
		}
		if (this.usedPerByte != null) {
			renderMemory(md);
		}
	}

	private void renderStores(Markdown md) {
		md.format("The same run as above (`BufferedWebSocketClient` with `setReliable(true)`, %,d binary 1 KB "
				+ "messages, then `closeAsync(NORMAL)`, every message and the close checked) against two servers in "
				+ "the same JVM on one node: the benchmark's, with the default memory store, and a second one with "
				+ "`wsdrain.server.resume.store=redis` and a `redis-server` of its own on the loopback interface (no "
				+ "persistence, `maxmemory-policy noeviction`). ABBA pairs, a GC before each run.\n\n", this.count)
			.text("| store | messages/s | MB/s (median) | process CPU µs per message (JVM only) |\n")
			.text("|---|---|---:|---|\n");
		this.rates.forEach((store, rates) -> {
			Samples samples = new Samples(rates);
			md.line("| %s | %s | %,.0f | %s |", store.label, samples.format("%,.0f"),
					Markdown.megabytesPerSecond(samples, 1024), new Samples(this.cpu.get(store)).format("%.1f"));
		});
		md.ratioTable()
			.ratioRow("messages/s, Redis store / memory store, 1 KB", ratio(), "%.2f", Targets.REDIS_STORE, "%.2f",
					true);
	}

	private void renderMove(Markdown md) {
		md.format("%nAcross a move: two servers with `wsdrain.server.resume.store=redis`, node A and node B, share "
				+ "that `redis-server` behind a loopback TCP proxy that sends each new connection to the node it is "
				+ "told. The same reliable client receives %,d numbered binary 1 KB messages through the proxy from "
				+ "node A's app. With the move, once the client has received half of them, the proxy sends new "
				+ "connections to node B and cuts the connection (a reset, no close frame): the client reconnects "
				+ "after its default reconnect back-off (100 ms, give or take half) and resumes on node B, whose app "
				+ "gets the session with its origin and goes on from `getLastSent()`. Without it: the same stream "
				+ "from node A through the proxy, no cut. Every run checks that every message arrived once and in "
				+ "order, that node B went on from past the cut, and the close with 1000. ABBA pairs, a GC before "
				+ "each run.%n%n", this.move.count())
			.text("| run | messages/s | MB/s (median) | longest wait between two messages at the client (ms) |\n")
			.text("|---|---|---:|---|\n");
		this.move.rates().forEach((variant, rates) -> {
			Samples samples = new Samples(rates);
			md.line("| %s | %s | %,.0f | %s |", variant.label, samples.format("%,.0f"),
					Markdown.megabytesPerSecond(samples, 1024),
					new Samples(this.move.longestGaps().get(variant)).format("%,.0f"));
		});
		md.ratioTable()
			.line("| messages/s, across a move / one node, 1 KB | %s | – | – |",
					Samples.ratios(this.move.rates().get(MoveCell.Variant.MOVE),
							this.move.rates().get(MoveCell.Variant.STAY))
						.format("%.2f"));
	}

	private void renderMemory(Markdown md) {
		md.format("%nRedis memory: a `wsdrain.v1` client that reads every frame and acknowledges none; the server "
				+ "sends %,d 1 KB messages; Redis's `used_memory` (`INFO memory`) before the first and once the "
				+ "session's stream holds them all, and `MEMORY USAGE` of that stream (`SAMPLES 0`).%n%n",
				this.unacknowledged)
			.text("| measured | Redis bytes per unacknowledged payload byte |\n|---|---|\n")
			.line("| `used_memory` growth | %s |", new Samples(this.usedPerByte).format("%.2f"))
			.line("| the session's stream (`MEMORY USAGE`) | %s |", new Samples(this.streamPerByte).format("%.2f"));
	}

	@Override
	public void targets(Markdown md) {
		if (this.rates != null) {
			md.targetRow("`wsdrain.v1`, Redis store / memory store, 1 KB, one node", ratio(), Targets.REDIS_STORE);
		}
	}

	@Override
	public void bars(List<Bar> bars) {
		if (this.rates != null) {
			bars.add(new Bar("wsdrain.v1", "Redis store", "vs memory", ratio(), Targets.REDIS_STORE));
		}
	}

	private Samples ratio() {
		return Samples.ratios(this.rates.get(Store.REDIS), this.rates.get(Store.MEMORY));
	}

}

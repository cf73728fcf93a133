package io.github.wsdrain.benchmarks;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.benchmarks.Bench.Timing;
import io.github.wsdrain.metrics.WsDrainServerMetrics;
import io.github.wsdrain.session.DrainingWebSocketSession;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;

import static io.github.wsdrain.benchmarks.Bench.KB;
import static io.github.wsdrain.benchmarks.Bench.THROUGHPUT_RUNS_FACTOR;
import static io.github.wsdrain.benchmarks.Bench.WAIT_SECONDS;
import static io.github.wsdrain.benchmarks.Bench.await;
import static io.github.wsdrain.benchmarks.Bench.bytes;
import static io.github.wsdrain.benchmarks.Bench.check;
import static io.github.wsdrain.benchmarks.Bench.closeAndAwait;
import static io.github.wsdrain.benchmarks.Bench.filler;
import static io.github.wsdrain.benchmarks.Bench.log;
import static io.github.wsdrain.benchmarks.Bench.processCpuNanos;
import static io.github.wsdrain.benchmarks.Bench.requireDraining;

/**
 * Throughput of the container's session, Spring's decorator and wsdrain's session for
 * 64 B, 1 KB and 64 KB messages on 1 and 4 threads, raw loopback TCP beside them; and the
 * same 1 KB cell with and without metrics.
 */
final class ThroughputCells {

	/** Scrapes timed together, after as many unmeasured: one is far below the thread CPU clock's resolution. */
	private static final int SCRAPES_TIMED = 100_000;

	/** Messages per throughput run by size: 0.2-0.5 s a run here, long against the process CPU clock's 10 ms tick. */
	private static final Map<Integer, Integer> THROUGHPUT_COUNTS = Map.of(64, 64_000, KB, 32_000, 64 * KB, 1_600);

	private final BenchContext bench;

	ThroughputCells(BenchContext bench) {
		this.bench = bench;
	}

	enum Variant {

		RAW("raw loopback TCP (physical limit)"), PLAIN("plain session"),
		SPRING("Spring ConcurrentWebSocketSessionDecorator"), WSDRAIN("wsdrain DrainingWebSocketSession"),
		UNMETERED("wsdrain around the container session, no metrics"),
		METERED("wsdrain around the container session, `WsDrainServerMetrics` bound to a `SimpleMeterRegistry` "
				+ "scraped every " + Metering.SCRAPE_INTERVAL.toMillis() + " ms");

		final String label;

		Variant(String label) {
			this.label = label;
		}

	}

	record Cell(Variant variant, int threads) {

	}

	void throughput() throws Exception {
		// The cells of a group run back to back, forwards in even rounds and backwards in odd ones
		// (ABBA): on a shared machine the load changes from second to second, and runs measured
		// together see the same load. The ratios with a target compare cells of the same group.
		List<List<Cell>> groups = List.of(List.of(new Cell(Variant.PLAIN, 1), new Cell(Variant.WSDRAIN, 1)),
				List.of(new Cell(Variant.SPRING, 4), new Cell(Variant.WSDRAIN, 4)),
				List.of(new Cell(Variant.SPRING, 1), new Cell(Variant.PLAIN, 4), new Cell(Variant.RAW, 1)));
		List<Cell> cells = List.of(new Cell(Variant.RAW, 1), new Cell(Variant.PLAIN, 1), new Cell(Variant.SPRING, 1),
				new Cell(Variant.WSDRAIN, 1), new Cell(Variant.PLAIN, 4), new Cell(Variant.SPRING, 4),
				new Cell(Variant.WSDRAIN, 4));
		int rounds = this.bench.runs() * THROUGHPUT_RUNS_FACTOR;
		for (int size : new int[] { 64, KB, 64 * KB }) {
			int count = THROUGHPUT_COUNTS.get(size) / (this.bench.quick() ? 4 : 1);
			log("Throughput, %s messages, %,d per run", bytes(size), count);
			for (int w = 0; w < this.bench.warmups(); w++) {
				for (Cell cell : cells) {
					throughputRun(cell, size, count);
				}
			}
			Map<Cell, double[]> rates = new LinkedHashMap<>();
			Map<Cell, double[]> cpu = new LinkedHashMap<>();
			cells.forEach((cell) -> rates.put(cell, new double[rounds]));
			cells.forEach((cell) -> cpu.put(cell, new double[rounds]));
			for (int r = 0; r < rounds; r++) {
				for (int g = 0; g < groups.size(); g++) {
					List<Cell> group = groups.get((g + r) % groups.size());
					for (int k = 0; k < group.size(); k++) {
						Cell cell = group.get((r % 2 == 0) ? k : group.size() - 1 - k);
						Timing timing = throughputRun(cell, size, count);
						rates.get(cell)[r] = count / (timing.wallNanos() / 1e9);
						cpu.get(cell)[r] = timing.cpuNanos() / 1e3 / count;
					}
				}
				StringBuilder line = new StringBuilder();
				for (Cell cell : cells) {
					line.append(String.format(Locale.ROOT, " %s×%d %,.0f/s;", cell.variant(), cell.threads(),
							rates.get(cell)[r]));
				}
				log("  round %d/%d:%s", r + 1, rounds, line);
			}
			ThroughputSection section = this.bench.report().throughput();
			rates.forEach((cell, values) -> section.record(size, cell, count, values, cpu.get(cell)));
		}
	}

	private Timing throughputRun(Cell cell, int size, int count) throws Exception {
		// Every run starts with an empty young generation, so that no run pays for another's garbage.
		System.gc();
		if (cell.variant() == Variant.RAW) {
			long cpuBefore = processCpuNanos();
			long wall = RawLoopback.transfer(count, size);
			return new Timing(wall, processCpuNanos() - cpuBefore);
		}
		boolean drained = cell.variant() == Variant.WSDRAIN;
		try (FrameReader client = FrameReader.connect(uri(drained ? "/drained" : "/plain"))) {
			WebSocketSession raw = (drained ? this.bench.server().drained() : this.bench.server().plain()).next();
			WebSocketSession session = switch (cell.variant()) {
				case PLAIN -> raw;
				case SPRING -> new ConcurrentWebSocketSessionDecorator(raw, 10_000, BenchServer.SEND_BUFFER_BYTES);
				case WSDRAIN -> requireDraining(raw);
				case UNMETERED -> this.bench.metering().unmetered().drainingSession(raw);
				case METERED -> this.bench.metering().metered().drainingSession(raw);
				case RAW -> throw new IllegalStateException();
			};
			// The container's session takes one sender at a time: several threads share it under a lock.
			boolean locked = cell.variant() == Variant.PLAIN && cell.threads() > 1;
			ByteBuffer payload = ByteBuffer.wrap(filler(size));
			CompletableFuture<Long> received = client.whenReceived(count);
			CountDownLatch start = new CountDownLatch(1);
			List<Future<?>> sends = new ArrayList<>();
			int perThread = count / cell.threads();
			for (int t = 0; t < cell.threads(); t++) {
				sends.add(this.bench.senders().submit(() -> {
					start.await();
					for (int i = 0; i < perThread; i++) {
						if (locked) {
							synchronized (session) {
								session.sendMessage(new BinaryMessage(payload.duplicate()));
							}
						}
						else {
							session.sendMessage(new BinaryMessage(payload.duplicate()));
						}
					}
					return null;
				}));
			}
			long cpuBefore = processCpuNanos();
			long started = System.nanoTime();
			start.countDown();
			long finished = await(received, "all " + count + " messages of a " + cell + " run to arrive");
			long cpuNanos = processCpuNanos() - cpuBefore;
			for (Future<?> send : sends) {
				send.get(WAIT_SECONDS, TimeUnit.SECONDS);
			}
			check(client.messages() == count && client.bytes() == (long) count * size,
					"%s run: client received %d messages / %d bytes, expected %d / %d", cell, client.messages(),
					client.bytes(), count, (long) count * size);
			closeAndAwait(session, client.closed(), CloseStatus.NORMAL);
			return new Timing(finished - started, cpuNanos);
		}
	}

	// ---------------------------------------------------------------- metrics

	/**
	 * What recording metrics costs: the throughput cell of 1 KB messages on one thread,
	 * with a draining session from a registry whose listener is {@code WsDrainServerMetrics}
	 * bound to a scraped {@code SimpleMeterRegistry}, against the same from a registry
	 * without. Both wrap the container's session on {@code /plain}, so that nothing else
	 * differs. Four times the throughput section's pairs: the difference sought is
	 * smaller than the spread of single runs. Then the CPU time of a scrape alone, which
	 * does not depend on the load of the machine.
	 */
	void metrics() throws Exception {
		int count = 32_000 / (this.bench.quick() ? 4 : 1);
		List<Cell> pair = List.of(new Cell(Variant.UNMETERED, 1), new Cell(Variant.METERED, 1));
		int rounds = this.bench.runs() * THROUGHPUT_RUNS_FACTOR * 4;
		log("Metrics, 1 KB messages, %,d per run, with and without a meter registry", count);
		for (int w = 0; w < this.bench.warmups(); w++) {
			for (Cell cell : pair) {
				metricsRun(cell, count);
			}
		}
		// Scrapes of the measured runs only.
		long scrapesBefore = this.bench.metering().scrapes();
		AbbaPairs.Measured<Cell> measured = AbbaPairs.measure(pair, 0, rounds, count,
				"  round %d/%d: without %,.0f/s; with metrics %,.0f/s", (cell) -> metricsRun(cell, count));
		long meteredRuns = this.bench.warmups() + rounds;
		// The metered runs must have been recorded, or this measured nothing.
		var meters = this.bench.metering().meters();
		double sent = meters.get("wsdrain.messages.sent").functionCounter().count();
		long closes = meters.get("wsdrain.drain.duration").tag("outcome", "complete").timer().count();
		check(sent == (double) meteredRuns * count && closes == meteredRuns,
				"metrics: %,.0f messages sent and %d closes recorded, expected %,d and %d", sent, closes,
				meteredRuns * count, meteredRuns);
		long scrapes = this.bench.metering().scrapes() - scrapesBefore;
		// The first batch warms the scrape up; the second is the measurement.
		this.bench.metering().scrapeCpuNanos(SCRAPES_TIMED);
		this.bench.report()
			.metrics()
			.record(count, measured.rates(), measured.cpu(), scrapes, this.bench.metering().meterCount(),
					this.bench.metering().scrapeCpuNanos(SCRAPES_TIMED));
	}

	private Timing metricsRun(Cell cell, int count) throws Exception {
		if (cell.variant() != Variant.METERED) {
			return throughputRun(cell, KB, count);
		}
		this.bench.metering().startScraping();
		try {
			return throughputRun(cell, KB, count);
		}
		finally {
			this.bench.metering().stopScraping();
		}
	}

	private URI uri(String path) {
		return this.bench.uri(path);
	}

}

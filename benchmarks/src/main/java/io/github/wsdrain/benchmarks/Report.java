package io.github.wsdrain.benchmarks;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.github.wsdrain.benchmarks.ThroughputCells.Cell;
import io.github.wsdrain.benchmarks.ThroughputCells.Variant;

/**
 * Collects the measured cells and renders them as Markdown; the chart reads the same.
 */
final class Report {

	private final double loadAtStart = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

	private final List<Double> loads = new ArrayList<>();

	private final Map<Integer, Map<Cell, double[]>> throughput = new LinkedHashMap<>();

	private final Map<Integer, Integer> throughputCounts = new LinkedHashMap<>();

	private final Map<Integer, Map<Cell, double[]>> throughputCpu = new LinkedHashMap<>();

	private List<MicroCells.Cell> micro;

	private LatencyCell.Result latency;

	private Map<ReceiveCells.ProtocolVariant, double[]> delayedRates;

	private int delayedCount;

	private long delayMillis;

	private Samples heapObjectSamples;

	private Samples closeAll10k;

	private Map<Cell, double[]> metricsRates;

	private Map<Cell, double[]> metricsCpu;

	private int metricsCount;

	private long scrapes;

	private int meterCount;

	private double scrapeCpuNanos;

	final Map<Integer, Samples> plainRatios = new LinkedHashMap<>();

	final Map<Integer, Samples> springRatios = new LinkedHashMap<>();

	private final Map<Integer, Samples> rawRatios = new LinkedHashMap<>();

	private final Map<Integer, Samples> spring1Ratios = new LinkedHashMap<>();

	private final Map<Integer, Samples> plain4Ratios = new LinkedHashMap<>();

	final List<DrainRow> drains = new ArrayList<>();

	private double[][] idleClose;

	private CloseBarrierCell.Result closeBarrier;

	private final List<String> scaleRows = new ArrayList<>();

	private String heapObjects;

	private Map<ReceiveCells.ClientVariant, double[]> clientRates;

	private Map<ReceiveCells.ClientVariant, double[]> clientCpu;

	private int clientCount;

	private String clientSettings;

	Samples clientRatio;

	private Map<ReceiveCells.ProtocolVariant, double[]> protocolRates;

	private Map<ReceiveCells.ProtocolVariant, double[]> protocolCpu;

	private Map<ReceiveCells.ProtocolVariant, CountingProxy.Bytes> protocolWire;

	private int protocolCount;

	private String redisSkipped;

	private int redisCount;

	private Map<RedisCells.Store, double[]> redisRates;

	private Map<RedisCells.Store, double[]> redisCpu;

	private int redisUnacknowledged;

	private double[] redisUsedPerByte;

	private double[] redisStreamPerByte;

	private String machine;

	void throughput(int size, Cell cell, int count, double[] rates, double[] cpuMicrosPerMessage) {
		this.throughput.computeIfAbsent(size, (key) -> new LinkedHashMap<>()).put(cell, rates);
		this.throughputCpu.computeIfAbsent(size, (key) -> new LinkedHashMap<>()).put(cell, cpuMicrosPerMessage);
		this.throughputCounts.put(size, count);
		Map<Cell, double[]> cells = this.throughput.get(size);
		double[] drained1 = cells.get(new Cell(Variant.WSDRAIN, 1));
		double[] plain1 = cells.get(new Cell(Variant.PLAIN, 1));
		double[] drained4 = cells.get(new Cell(Variant.WSDRAIN, 4));
		double[] spring4 = cells.get(new Cell(Variant.SPRING, 4));
		double[] raw = cells.get(new Cell(Variant.RAW, 1));
		if (drained1 != null && plain1 != null) {
			this.plainRatios.put(size, Samples.ratios(drained1, plain1));
		}
		if (drained4 != null && spring4 != null) {
			this.springRatios.put(size, Samples.ratios(drained4, spring4));
		}
		if (drained1 != null && raw != null) {
			this.rawRatios.put(size, Samples.ratios(drained1, raw));
		}
		double[] spring1 = cells.get(new Cell(Variant.SPRING, 1));
		double[] plain4 = cells.get(new Cell(Variant.PLAIN, 4));
		if (drained1 != null && spring1 != null) {
			this.spring1Ratios.put(size, Samples.ratios(drained1, spring1));
		}
		if (drained4 != null && plain4 != null) {
			this.plain4Ratios.put(size, Samples.ratios(drained4, plain4));
		}
	}

	void micro(List<MicroCells.Cell> cells) {
		this.micro = cells;
	}

	void latency(LatencyCell.Result result) {
		this.latency = result;
	}

	void protocolDelayed(int count, Duration oneWay, Map<ReceiveCells.ProtocolVariant, double[]> rates) {
		this.delayedCount = count;
		this.delayMillis = oneWay.toMillis();
		this.delayedRates = rates;
	}

	void metrics(int count, Map<Cell, double[]> rates, Map<Cell, double[]> cpu, long scrapes, int meterCount,
			double scrapeCpuNanos) {
		this.metricsCount = count;
		this.metricsRates = rates;
		this.metricsCpu = cpu;
		this.scrapes = scrapes;
		this.meterCount = meterCount;
		this.scrapeCpuNanos = scrapeCpuNanos;
	}

	void closeBarrier(CloseBarrierCell.Result result) {
		this.closeBarrier = result;
	}

	void idleClose(double[] plainMillis, double[] drainedMillis) {
		this.idleClose = new double[][] { plainMillis, drainedMillis };
	}

	void drain(int queued, int messageSize, double[] transferMillis, double[] drainMillis, double[] queuedAtClose) {
		this.drains.add(new DrainRow(queued, messageSize, new Samples(transferMillis), new Samples(drainMillis),
				Samples.ratios(drainMillis, transferMillis), new Samples(queuedAtClose)));
	}

	void heapObjects(int count, double[] perSession) {
		Samples samples = new Samples(perSession);
		this.heapObjectSamples = samples;
		this.heapObjects = String.format(Locale.ROOT,
				"| %,d draining sessions created by `DrainingSessionRegistry.drainingSession` around container-less "
						+ "Spring `StandardWebSocketSession`s (retained heap after GC, `MemoryMXBean`) | %s | ≤ %.0f | %s |",
				count, samples.formatMean("%,.0f"), Targets.HEAP_BYTES,
				Targets.verdict(samples.mean(), samples.meanLow(), samples.meanHigh(), Targets.HEAP_BYTES, false));
	}

	void scale(int count, double[] closeAllMillis, double[] futuresMillis, double[] delivered, double[] peakThreads,
			double[] heapDrained, double[] heapPlain) {
		String plain = "not measured (time budget)";
		String added = "–";
		if (heapPlain != null) {
			Samples samples = new Samples(difference(heapDrained, heapPlain));
			plain = new Samples(heapPlain).format("%,.0f");
			added = samples.formatMean("%,.0f");
		}
		if (count == 10_000) {
			this.closeAll10k = new Samples(futuresMillis);
		}
		this.scaleRows.add(String.format(Locale.ROOT, "| %,d | %s | 0 | %s | %s | %s | %s | %s | %s |", count,
				new Samples(delivered).format("%,.0f"), new Samples(closeAllMillis).format("%,.0f"),
				new Samples(futuresMillis).format("%,.0f"), new Samples(peakThreads).format("%,.0f"), plain,
				new Samples(heapDrained).format("%,.0f"), added));
	}

	void client(int count, io.github.wsdrain.client.BufferedWebSocketClient settings,
			Map<ReceiveCells.ClientVariant, double[]> rates, Map<ReceiveCells.ClientVariant, double[]> cpu) {
		this.clientCount = count;
		this.clientRates = rates;
		this.clientCpu = cpu;
		this.clientSettings = String.format(Locale.ROOT, "buffer of %,d messages / %s, overflow policy %s",
				settings.getMaxBufferedMessages(), Bench.bytes(settings.getMaxBufferedBytes().toBytes()),
				settings.getOverflowPolicy());
		this.clientRatio = Samples.ratios(rates.get(ReceiveCells.ClientVariant.BUFFERED),
				rates.get(ReceiveCells.ClientVariant.HANDLER));
	}

	void redisSkipped(String message) {
		this.redisSkipped = message;
	}

	void redisStores(int count, Map<RedisCells.Store, double[]> rates, Map<RedisCells.Store, double[]> cpu) {
		this.redisCount = count;
		this.redisRates = rates;
		this.redisCpu = cpu;
	}

	void redisMemory(int messages, double[] usedPerByte, double[] streamPerByte) {
		this.redisUnacknowledged = messages;
		this.redisUsedPerByte = usedPerByte;
		this.redisStreamPerByte = streamPerByte;
	}

	void protocol(int count, Map<ReceiveCells.ProtocolVariant, double[]> rates,
			Map<ReceiveCells.ProtocolVariant, double[]> cpu,
			Map<ReceiveCells.ProtocolVariant, CountingProxy.Bytes> wire) {
		this.protocolCount = count;
		this.protocolRates = rates;
		this.protocolCpu = cpu;
		this.protocolWire = wire;
	}

	/** Record the machine's load average now: the report gives its range over the run. */
	void sampleLoad() {
		this.loads.add(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
	}

	void machine(int runs, int warmups, boolean quick, long seconds, List<String> sections, int allSections) {
		sampleLoad();
		var os = ManagementFactory.getOperatingSystemMXBean();
		double[] loads = this.loads.stream().mapToDouble(Double::doubleValue).toArray();
		this.machine = String.format(Locale.ROOT,
				"%d CPUs (`nproc`), %s %s (%s), %s %s; system load average (1 min) %.1f at start, %.1f at end, "
						+ "%.1f–%.1f over the sections; %d measured runs per cell after %d warm-up run(s) "
						+ "(throughput, latency, client, protocol and Redis store cells: %d rounds); whole run %d s%s.",
				Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
				System.getProperty("java.runtime.version"), System.getProperty("java.vm.vendor"), os.getName(),
				os.getVersion(), this.loadAtStart, loads[loads.length - 1], Arrays.stream(loads).min().orElse(0),
				Arrays.stream(loads).max().orElse(0), runs, warmups, 3 * runs, seconds,
				quick ? "; **QUICK MODE: reduced sizes, not for publication**" : "")
				+ ((sections.size() < allSections) ? " Sections run: " + String.join(", ", sections) + "." : "");
	}

	String markdown() {
		StringBuilder md = new StringBuilder();
		md.append("Measured on ").append(this.machine).append("\n\n");
		targetsMarkdown(md);
		if (this.micro != null) {
			microMarkdown(md);
		}
		if (this.latency != null) {
			latencyMarkdown(md);
		}
		if (!this.throughput.isEmpty()) {
			throughputMarkdown(md);
		}
		if (this.metricsRates != null) {
			metricsMarkdown(md);
		}
		if (!this.drains.isEmpty()) {
			drainMarkdown(md);
		}
		if (!this.scaleRows.isEmpty()) {
			scaleMarkdown(md);
		}
		if (this.heapObjects != null) {
			md.append("\n### Heap per session, wsdrain objects alone\n\n")
				.append("| measured | bytes per session, mean [95 % interval] | target | met |\n|---|---|---|---|\n")
				.append(this.heapObjects)
				.append('\n');
		}
		md.append("\n### Client\n\n");
		if (this.clientRates != null) {
			clientMarkdown(md);
		}
		else {
			md.append("Section not run.\n");
		}
		if (this.clientRatio != null) {
			md.append(String.format(Locale.ROOT, "%n| ratio | result | target | met |%n|---|---|---|---|%n"));
			md.append(String.format(Locale.ROOT, "| buffering client / plain Spring handler, 1 KB | %s | ≥ %.2f | %s |%n",
					this.clientRatio.format("%.2f"), Targets.CLIENT, Targets.verdict(this.clientRatio, Targets.CLIENT, true)));
		}
		md.append("\n### `wsdrain.v1`\n\n");
		if (this.protocolRates != null) {
			protocolMarkdown(md);
		}
		if (this.delayedRates != null) {
			delayedMarkdown(md);
		}
		else {
			md.append("Section not run.\n");
		}
		if (this.closeBarrier != null) {
			closeBarrierMarkdown(md);
		}
		redisMarkdown(md);
		return md.toString();
	}

	private Samples redisRatio() {
		return Samples.ratios(this.redisRates.get(RedisCells.Store.REDIS), this.redisRates.get(RedisCells.Store.MEMORY));
	}

	private void redisMarkdown(StringBuilder md) {
		if (this.redisSkipped == null && this.redisRates == null && this.redisUsedPerByte == null) {
			return;
		}
		md.append("\n### `wsdrain.v1` with the Redis store\n\n");
		if (this.redisSkipped != null) {
			md.append(this.redisSkipped).append(".\n");
			return;
		}
		if (this.redisRates != null) {
			md.append("The same run as above (`BufferedWebSocketClient` with `setReliable(true)`, ")
				.append(String.format(Locale.ROOT, "%,d", this.redisCount))
				.append(" binary 1 KB messages, then `closeAsync(NORMAL)`, every message and the close checked) "
						+ "against two servers in the same JVM on one node: the benchmark's, with the default memory "
						+ "store, and a second one with `wsdrain.server.resume.store=redis` and a `redis-server` of "
						+ "its own on the loopback interface (no persistence, `maxmemory-policy noeviction`). "
						+ "ABBA pairs, a GC before each run.\n\n")
				.append("| store | messages/s | MB/s (median) | process CPU µs per message (JVM only) |\n")
				.append("|---|---|---:|---|\n");
			this.redisRates.forEach((store, rates) -> {
				Samples samples = new Samples(rates);
				md.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %s |%n", store.label,
						samples.format("%,.0f"), samples.median() * 1024 / (1024 * 1024),
						new Samples(this.redisCpu.get(store)).format("%.1f")));
			});
			md.append(String.format(Locale.ROOT, "%n| ratio | result | target | met |%n|---|---|---|---|%n"))
				.append(String.format(Locale.ROOT, "| messages/s, Redis store / memory store, 1 KB | %s | ≥ %.2f | %s |%n",
						redisRatio().format("%.2f"), Targets.REDIS_STORE,
						Targets.verdict(redisRatio(), Targets.REDIS_STORE, true)));
		}
		if (this.redisUsedPerByte != null) {
			md.append(String.format(Locale.ROOT, "%nRedis memory: a `wsdrain.v1` client that reads every frame and "
					+ "acknowledges none; the server sends %,d 1 KB messages; Redis's `used_memory` (`INFO memory`) "
					+ "before the first and once the session's stream holds them all, and `MEMORY USAGE` of that "
					+ "stream (`SAMPLES 0`).%n%n", this.redisUnacknowledged))
				.append("| measured | Redis bytes per unacknowledged payload byte |\n|---|---|\n")
				.append(String.format(Locale.ROOT, "| `used_memory` growth | %s |%n",
						new Samples(this.redisUsedPerByte).format("%.2f")))
				.append(String.format(Locale.ROOT, "| the session's stream (`MEMORY USAGE`) | %s |%n",
						new Samples(this.redisStreamPerByte).format("%.2f")));
		}
	}

	private void closeBarrierMarkdown(StringBuilder md) {
		CloseBarrierCell.Result result = this.closeBarrier;
		md.append("\n### Close barrier (a Ping after the last message, the close frame after its Pong)\n\n")
			.append("JDK WebSocket clients on the loopback interface, which answer a Ping as soon as they read it. "
					+ "Without the barrier: a `/plain` session wrapped in a draining session whose barrier is off; "
					+ "with it: a `/drained` session of the auto-configuration. Every close is checked: nothing "
					+ "dropped, and the barrier passed (or was skipped, without it).\n\n")
			.append("| close | without the barrier (ms) | with the barrier (ms) |\n|---|---|---|\n")
			.append(String.format(Locale.ROOT, "| idle session, `closeAsync(NORMAL)` → close frame at the client | "
					+ "%s | %s |%n", new Samples(result.idleClose()[0]).format("%.2f"),
					new Samples(result.idleClose()[1]).format("%.2f")))
			.append(String.format(Locale.ROOT, "| %,d idle sessions, `closeAsync(GOING_AWAY)` on each → last close "
					+ "frame at a client | %s | %s |%n", result.sessions(),
					new Samples(result.closeAll()[0]).format("%.0f"), new Samples(result.closeAll()[1]).format("%.0f")))
			.append(String.format(Locale.ROOT, "| the same → every `CloseResult` future | %s | %s |%n",
					new Samples(result.futures()[0]).format("%.0f"), new Samples(result.futures()[1]).format("%.0f")));
	}

	private void protocolMarkdown(StringBuilder md) {
		md.append("The server on `/drained` sends ")
			.append(String.format(Locale.ROOT, "%,d", this.protocolCount))
			.append(" binary 1 KB messages from one thread as fast as it can, then `closeAsync(NORMAL)`, to wsdrain's "
					+ "`BufferedWebSocketClient` (on Spring's `StandardWebSocketClient`, default settings) with one "
					+ "consumer thread calling `receive()` until `ConnectionClosedException`: without the protocol, "
					+ "and with `wsdrain.v1` (numbered messages, acknowledged by the client, the server keeping what "
					+ "is unacknowledged for replay), both sides at their default settings. Every run checks that "
					+ "all messages and bytes arrived, then "
					+ "the close with 1000, and that the server's `CloseResult` reports no drop and nothing "
					+ "unacknowledged. ABBA pairs, a GC before each run. Wire: one more run of each through a "
					+ "loopback TCP proxy counting every byte each way (handshake, frame headers, masks, close "
					+ "included).\n\n")
			.append("| client | messages per run | messages/s | MB/s (median) | process CPU µs per message |\n")
			.append("|---|---:|---|---:|---|\n");
		this.protocolRates.forEach((variant, rates) -> {
			Samples samples = new Samples(rates);
			md.append(String.format(Locale.ROOT, "| %s | %,d | %s | %,.0f | %s |%n", variant.label,
					this.protocolCount, samples.format("%,.0f"), samples.median() * 1024 / (1024 * 1024),
					new Samples(this.protocolCpu.get(variant)).format("%.1f")));
		});
		md.append("\n| run | bytes to the client | bytes to the server | total |\n|---|---:|---:|---:|\n");
		this.protocolWire.forEach((variant, bytes) -> md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d |%n",
				(variant == ReceiveCells.ProtocolVariant.PLAIN) ? "without the protocol" : "`wsdrain.v1`",
				bytes.toClient(), bytes.toServer(), bytes.total())));
		Samples ratio = Samples.ratios(this.protocolRates.get(ReceiveCells.ProtocolVariant.ACKNOWLEDGED),
				this.protocolRates.get(ReceiveCells.ProtocolVariant.PLAIN));
		double overhead = wireOverheadPercent();
		md.append(String.format(Locale.ROOT, "%n| ratio | result | target | met |%n|---|---|---|---|%n"))
			.append(String.format(Locale.ROOT, "| messages/s, `wsdrain.v1` / without, 1 KB, loopback | %s | ≥ %.2f | %s |%n",
					ratio.format("%.2f"), Targets.ACKNOWLEDGED, Targets.verdict(ratio, Targets.ACKNOWLEDGED, true)))
			.append(String.format(Locale.ROOT,
					"| process CPU per message, `wsdrain.v1` / without (lower is better) | %s | – | – |%n",
					Samples.ratios(this.protocolCpu.get(ReceiveCells.ProtocolVariant.ACKNOWLEDGED),
							this.protocolCpu.get(ReceiveCells.ProtocolVariant.PLAIN))
						.format("%.2f")))
			.append(String.format(Locale.ROOT, "| wire overhead, both ways | %+.2f%% | ≤ %.0f%% | %s |%n", overhead,
					Targets.WIRE_OVERHEAD_PERCENT, (overhead <= Targets.WIRE_OVERHEAD_PERCENT) ? "yes" : "**no**"));
	}

	private double wireOverheadPercent() {
		long without = this.protocolWire.get(ReceiveCells.ProtocolVariant.PLAIN).total();
		long with = this.protocolWire.get(ReceiveCells.ProtocolVariant.ACKNOWLEDGED).total();
		return 100.0 * (with - without) / without;
	}

	private void clientMarkdown(StringBuilder md) {
		md.append("The server's draining session on `/drained` sends ")
			.append(String.format(Locale.ROOT, "%,d", this.clientCount))
			.append(" binary 1 KB messages from one thread as fast as it can, then `closeAsync(NORMAL)`; the client "
					+ "is Spring's `StandardWebSocketClient` (Tomcat's JSR-356 client) with either a plain "
					+ "`BinaryWebSocketHandler` that counts messages or wsdrain's `BufferedWebSocketClient` on the same "
					+ "`StandardWebSocketClient` (")
			.append(this.clientSettings)
			.append(", the defaults) with one consumer thread calling `receive()` until `ConnectionClosedException`. "
					+ "Messages/s: first send to the receipt of the last message by the handler or the consumer. "
					+ "Every run checks that all messages and bytes arrived, then the close with 1000, and that the "
					+ "server's `CloseResult` reports no drop. The two cells run back to back in ABBA order, a GC "
					+ "before each run. Process CPU: the whole JVM from the first send to the client seeing the "
					+ "close, per message.\n\n")
			.append("| client | messages per run | messages/s | MB/s (median) | process CPU µs per message |\n")
			.append("|---|---:|---|---:|---|\n");
		this.clientRates.forEach((variant, rates) -> {
			Samples samples = new Samples(rates);
			md.append(String.format(Locale.ROOT, "| %s | %,d | %s | %,.0f | %s |%n", variant.label, this.clientCount,
					samples.format("%,.0f"), samples.median() * 1024 / (1024 * 1024),
					new Samples(this.clientCpu.get(variant)).format("%.1f")));
		});
	}

	private void throughputMarkdown(StringBuilder md) {
		md.append("\n### Throughput (messages/s, first send to the client's receipt of the last message)\n\n")
			.append("Process CPU time per message: everything the JVM spent in the run (server, client, GC) over "
					+ "the messages; it depends far less than wall time on what else the machine runs.\n\n")
			.append("| message | variant | sending threads | messages per run | messages/s | MB/s (median) | "
					+ "process CPU µs per message |\n")
			.append("|---|---|---:|---:|---|---:|---|\n");
		this.throughput.forEach((size, cells) -> cells.forEach((cell, rates) -> {
			Samples samples = new Samples(rates);
			md.append(String.format(Locale.ROOT, "| %s | %s | %d | %,d | %s | %,.0f | %s |%n",
					Bench.bytes(size), cell.variant().label, cell.threads(), this.throughputCounts.get(size),
					samples.format("%,.0f"), samples.median() * size / (1024 * 1024),
					new Samples(this.throughputCpu.get(size).get(cell)).format("%.1f")));
		}));

		md.append("\n### Throughput ratios\n\n")
			.append("Geometric mean of the per-round ratios [95 % interval]; wsdrain over the other cell.\n\n")
			.append("| ratio | 64 B | 1 KB | 64 KB |\n|---|---|---|---|\n");
		ratioRow(md, "wsdrain / plain session, 1 thread (targets ≥ 1.5, 1.0, 1.0)", this.plainRatios);
		ratioRow(md, "wsdrain / Spring decorator, 4 threads (targets ≥ 2.0, 1.1, 1.0)", this.springRatios);
		ratioRow(md, "wsdrain / Spring decorator, 1 thread", this.spring1Ratios);
		ratioRow(md, "wsdrain / plain session behind a lock, 4 threads", this.plain4Ratios);
		ratioRow(md, "wsdrain / raw loopback TCP, 1 thread (share of the physical limit)", this.rawRatios);
		Map<Integer, Samples> cpuPlain = new LinkedHashMap<>();
		Map<Integer, Samples> cpuSpring = new LinkedHashMap<>();
		this.throughputCpu.forEach((size, cells) -> {
			cpuPlain.put(size, Samples.ratios(cells.get(new Cell(Variant.WSDRAIN, 1)), cells.get(new Cell(Variant.PLAIN, 1))));
			cpuSpring.put(size,
					Samples.ratios(cells.get(new Cell(Variant.WSDRAIN, 4)), cells.get(new Cell(Variant.SPRING, 4))));
		});
		ratioRow(md, "process CPU per message, wsdrain / plain session, 1 thread (lower is better)", cpuPlain);
		ratioRow(md, "process CPU per message, wsdrain / Spring decorator, 4 threads (lower is better)", cpuSpring);
	}

	private void microMarkdown(StringBuilder md) {
		md.append("\n### Cost of the decorator alone (JMH, no network, no client)\n\n")
			.append("`DecoratorCost`: `sendMessage` of a 1 KB binary message to a session with no container behind "
					+ "it (it copies the payload and counts it), on JMH 1.37: one forked JVM per cell, single-shot "
					+ "batches of 1,000,000 messages split over the threads (a fixed batch, because with several "
					+ "senders both decorators queue what the writing thread has not taken yet). Nanoseconds per "
					+ "message: a batch's wall time over its messages (with 4 threads on 2 cores it includes "
					+ "waiting for a core), with JMH's 95 % interval over the measured batches.\n\n")
			.append("| variant | sending threads | ns per message [95 % interval] | batches |\n|---|---:|---|---:|\n");
		for (MicroCells.Cell cell : this.micro) {
			String label = switch (cell.variant()) {
				case "PLAIN" -> "container session called directly";
				case "SPRING" -> Variant.SPRING.label;
				default -> Variant.WSDRAIN.label;
			};
			md.append(String.format(Locale.ROOT, "| %s | %d | %,.0f [%,.0f, %,.0f] | %d |%n", label, cell.threads(),
					cell.nanos(), cell.low(), cell.high(), cell.iterations()));
		}
	}

	private void latencyMarkdown(StringBuilder md) {
		LatencyCell.Result result = this.latency;
		md.append("\n### Single-message latency\n\n")
			.append(String.format(Locale.ROOT, "%,d messages of %s per run, one at a time: the next is sent only "
					+ "once the client has read the previous one, so nothing ever waits in a queue. From "
					+ "`sendMessage` to the client's receipt; a run's median and 99th percentile; a new connection "
					+ "per run, the two cells in ABBA pairs.%n%n", result.messages(), Bench.bytes(LatencyCell.SIZE)))
			.append("| session | median µs (per-run medians: median (min–max)) | 99th percentile µs |\n|---|---|---|\n")
			.append(String.format(Locale.ROOT, "| plain session | %s | %s |%n",
					new Samples(result.medians()[0]).format("%.1f"), new Samples(result.p99()[0]).format("%.1f")))
			.append(String.format(Locale.ROOT, "| wsdrain | %s | %s |%n",
					new Samples(result.medians()[1]).format("%.1f"), new Samples(result.p99()[1]).format("%.1f")));
		Samples ratio = latencyRatio();
		md.append(String.format(Locale.ROOT, "%n| ratio | result | target | met |%n|---|---|---|---|%n"))
			.append(String.format(Locale.ROOT, "| median latency, wsdrain / plain | %s | ≤ %.1f | %s |%n",
					ratio.format("%.2f"), Targets.LATENCY, Targets.verdict(ratio, Targets.LATENCY, false)));
	}

	private Samples latencyRatio() {
		return Samples.ratios(this.latency.medians()[1], this.latency.medians()[0]);
	}

	private Samples delayedRatio() {
		return Samples.ratios(this.delayedRates.get(ReceiveCells.ProtocolVariant.ACKNOWLEDGED),
				this.delayedRates.get(ReceiveCells.ProtocolVariant.PLAIN));
	}

	private Samples protocolRatio() {
		return Samples.ratios(this.protocolRates.get(ReceiveCells.ProtocolVariant.ACKNOWLEDGED),
				this.protocolRates.get(ReceiveCells.ProtocolVariant.PLAIN));
	}

	private void delayedMarkdown(StringBuilder md) {
		md.append(String.format(Locale.ROOT, "%nThrough a link delayed %d ms each way (a %d ms round trip): a "
				+ "loopback TCP proxy that holds every chunk it reads for %d ms before writing it on, in both "
				+ "directions, with no bandwidth limit of its own. TCP on either side of it runs at loopback "
				+ "speed, so only a window kept above TCP (the protocol's acknowledgements) feels the round trip. "
				+ "%,d binary 1 KB messages per run, the same two clients, ABBA pairs.%n%n", this.delayMillis,
				2 * this.delayMillis, this.delayMillis, this.delayedCount))
			.append("| client | messages/s | MB/s (median) |\n|---|---|---:|\n");
		this.delayedRates.forEach((variant, rates) -> {
			Samples samples = new Samples(rates);
			md.append(String.format(Locale.ROOT, "| %s | %s | %,.1f |%n",
					(variant == ReceiveCells.ProtocolVariant.PLAIN) ? "without the protocol" : "`wsdrain.v1`",
					samples.format("%,.0f"), samples.median() / 1024));
		});
		Samples ratio = delayedRatio();
		md.append(String.format(Locale.ROOT, "%n| ratio | result | target | met |%n|---|---|---|---|%n"))
			.append(String.format(Locale.ROOT,
					"| messages/s, `wsdrain.v1` / without, 1 KB, %d ms round trip | %s | ≥ %.1f | %s |%n",
					2 * this.delayMillis, ratio.format("%.2f"), Targets.ACKNOWLEDGED_DELAYED,
					Targets.verdict(ratio, Targets.ACKNOWLEDGED_DELAYED, true)));
	}

	/** The targets of the performance work, each with what this run measured. */
	private void targetsMarkdown(StringBuilder md) {
		md.append("### Targets\n\n")
			.append("Ratios: geometric mean of the per-pair ratios [95 % interval]. Absolute cells: mean [95 % "
					+ "interval]. *Within noise*: the interval reaches the other side of the target.\n\n")
			.append("| cell | target | measured | met |\n|---|---|---|---|\n");
		for (int size : Targets.SIZES) {
			Samples spring = this.springRatios.get(size);
			Samples plain = this.plainRatios.get(size);
			if (spring != null) {
				targetRow(md, Bench.bytes(size) + ", 4 threads: wsdrain / Spring's decorator",
						spring, Targets.targetSpring(size));
			}
			if (plain != null) {
				targetRow(md, Bench.bytes(size) + ", 1 thread: wsdrain / plain session", plain,
						Targets.targetPlain(size));
			}
		}
		if (this.latency != null) {
			md.append(String.format(Locale.ROOT, "| single-message latency, wsdrain / plain | ≤ %.1f | %s | %s |%n",
					Targets.LATENCY, latencyRatio().format("%.2f"), Targets.verdict(latencyRatio(), Targets.LATENCY, false)));
		}
		if (this.heapObjectSamples != null) {
			Samples heap = this.heapObjectSamples;
			md.append(String.format(Locale.ROOT, "| heap per idle session (bytes) | ≤ %.0f | %s | %s |%n",
					Targets.HEAP_BYTES, heap.formatMean("%,.0f"),
					Targets.verdict(heap.mean(), heap.meanLow(), heap.meanHigh(), Targets.HEAP_BYTES, false)));
		}
		if (this.protocolRates != null) {
			targetRow(md, "`wsdrain.v1` at default settings / plain client, 1 KB", protocolRatio(),
					Targets.ACKNOWLEDGED);
		}
		if (this.delayedRates != null) {
			targetRow(md, "the same at a " + 2 * this.delayMillis + " ms round trip", delayedRatio(),
					Targets.ACKNOWLEDGED_DELAYED);
		}
		if (this.redisRates != null) {
			targetRow(md, "`wsdrain.v1`, Redis store / memory store, 1 KB, one node", redisRatio(),
					Targets.REDIS_STORE);
		}
		for (DrainRow row : this.drains) {
			if (row.queued() == 1024 * 1024) {
				md.append(String.format(Locale.ROOT, "| `closeAsync` after 1 MB / the transfer alone | ≤ %.1f | %s | %s |%n",
						Targets.DRAIN, row.ratio().format("%.2f"), Targets.verdict(row.ratio(), Targets.DRAIN, false)));
			}
		}
		if (this.closeAll10k != null) {
			Samples close = this.closeAll10k;
			md.append(String.format(Locale.ROOT, "| 10,000 sessions: all close frames written (ms) | ≤ %,.0f | %s | %s |%n",
					Targets.CLOSE_ALL_MILLIS, close.formatMean("%,.0f"),
					Targets.verdict(close.mean(), close.meanLow(), close.meanHigh(), Targets.CLOSE_ALL_MILLIS, false)));
		}
		md.append('\n');
	}

	private static void targetRow(StringBuilder md, String cell, Samples ratio, double target) {
		md.append(String.format(Locale.ROOT, "| %s | ≥ %.2f | %s | %s |%n", cell, target, ratio.format("%.2f"),
				Targets.verdict(ratio, target, true)));
	}

	/** The ratios with a target, for the chart. */
	List<Bar> bars() {
		List<Bar> bars = new ArrayList<>();
		for (int size : Targets.SIZES) {
			if (this.plainRatios.containsKey(size)) {
				bars.add(new Bar(Bench.bytes(size), "vs plain", "1 thread", this.plainRatios.get(size),
						Targets.targetPlain(size)));
			}
			if (this.springRatios.containsKey(size)) {
				bars.add(new Bar(Bench.bytes(size), "vs decorator", "4 threads", this.springRatios.get(size),
						Targets.targetSpring(size)));
			}
		}
		if (this.protocolRates != null) {
			bars.add(new Bar("wsdrain.v1", "vs without", "loopback", protocolRatio(), Targets.ACKNOWLEDGED));
		}
		if (this.delayedRates != null) {
			bars.add(new Bar("wsdrain.v1", "vs without", (2 * this.delayMillis) + " ms RTT", delayedRatio(),
					Targets.ACKNOWLEDGED_DELAYED));
		}
		if (this.redisRates != null) {
			bars.add(new Bar("wsdrain.v1", "Redis store", "vs memory", redisRatio(), Targets.REDIS_STORE));
		}
		return bars;
	}

	/** One ratio of the chart, higher is better, with its target. */
	record Bar(String size, String against, String threads, Samples samples, double target) {

	}

	private void metricsMarkdown(StringBuilder md) {
		md.append("\n### Cost of metrics\n\n")
			.append("1 KB binary messages on one thread, ")
			.append(String.format(Locale.ROOT, "%,d", this.metricsCount))
			.append(" per run, measured like the throughput cells (first send to the client's receipt of the last "
					+ "message, ABBA pairs, a GC before each run). Both cells: a `DrainingWebSocketSession` from a "
					+ "`DrainingSessionRegistry` with the server's settings but the close barrier off (no wsdrain "
					+ "handler sees that path's Pongs), around the container's session on `/plain`. With metrics, "
					+ "the registry's listener is `WsDrainServerMetrics` bound to a "
					+ "`SimpleMeterRegistry`, and a thread reads every meter every ")
			.append(Metering.SCRAPE_INTERVAL.toMillis())
			.append(" ms during the run (Prometheus's default is 15 s); the section checks that the meter registry "
					+ "recorded every message sent and every close. Sends are counted with `LongAdder`s whether or "
					+ "not metrics are on: what metrics add is the listener on closes and drops, and the scrapes.\n\n")
			.append("| variant | messages per run | messages/s | MB/s (median) | process CPU µs per message |\n")
			.append("|---|---:|---|---:|---|\n");
		this.metricsRates.forEach((cell, rates) -> {
			Samples samples = new Samples(rates);
			md.append(String.format(Locale.ROOT, "| %s | %,d | %s | %,.0f | %s |%n", cell.variant().label,
					this.metricsCount, samples.format("%,.0f"), samples.median() * 1024 / (1024 * 1024),
					new Samples(this.metricsCpu.get(cell)).format("%.1f")));
		});
		Samples ratio = metricsRatio(this.metricsRates);
		md.append(String.format(Locale.ROOT, "%n| ratio | result | target | met |%n|---|---|---|---|%n"))
			.append(String.format(Locale.ROOT, "| messages/s, with metrics / without, 1 KB, 1 thread | %s | ≥ %.2f | %s |%n",
					ratio.format("%.3f"), Targets.METRICS, Targets.verdict(ratio, Targets.METRICS, true)))
			.append(String.format(Locale.ROOT,
					"| process CPU per message, with metrics / without (lower is better) | %s | – | – |%n",
					metricsRatio(this.metricsCpu).format("%.3f")))
			.append(String.format(Locale.ROOT, "%nScrapes during the measured runs with metrics: %,d. A scrape reads "
					+ "%d meters in %.1f µs of CPU (mean thread CPU time of 100,000 scrapes timed after the runs): "
					+ "at one every %d ms, %.3f%% of one core; at Prometheus's 15 s, %.5f%%.%n", this.scrapes,
					this.meterCount, this.scrapeCpuNanos / 1e3, Metering.SCRAPE_INTERVAL.toMillis(),
					100 * this.scrapeCpuNanos / Metering.SCRAPE_INTERVAL.toNanos(), 100 * this.scrapeCpuNanos / 15e9));
	}

	/** The metered cell over the unmetered one, run by run. */
	private static Samples metricsRatio(Map<Cell, double[]> cells) {
		return Samples.ratios(cells.get(new Cell(Variant.METERED, 1)), cells.get(new Cell(Variant.UNMETERED, 1)));
	}

	private void drainMarkdown(StringBuilder md) {
		if (this.idleClose != null) {
			md.append("\n### Close of an idle session (the fixed cost of a close)\n\n")
				.append("| session | close → close frame at client (ms) |\n|---|---|\n")
				.append(String.format(Locale.ROOT, "| plain session, `close(NORMAL)` | %s |%n",
						new Samples(this.idleClose[0]).format("%.2f")))
				.append(String.format(Locale.ROOT, "| wsdrain, `closeAsync(NORMAL)` | %s |%n",
						new Samples(this.idleClose[1]).format("%.2f")));
		}

		md.append("\n### Drain time\n\n")
			.append("64 KB messages handed to the session while the client reads nothing, on one connection: "
					+ "first they cross with no close (client resumed at t0, until the last message arrives), "
					+ "then the same bytes are queued again and `closeAsync(NORMAL)` is called as the client "
					+ "resumes (t0, until the client receives the close frame, after every message).\n\n")
			.append("| queued | of which still in wsdrain's queue at t0 | same bytes, no close (ms) | "
					+ "closeAsync → close frame at client (ms) | ratio | target | met |\n")
			.append("|---|---|---|---|---|---|---|\n");
		for (DrainRow row : this.drains) {
			md.append(String.format(Locale.ROOT, "| %s | %s MB | %s | %s | %s | ≤ %.1f | %s |%n",
					Bench.bytes(row.queued()),
					new Samples(scaled(row.queuedAtClose(), 1.0 / (1024 * 1024))).format("%.1f"),
					row.transfer().format("%.1f"), row.drain().format("%.1f"), row.ratio().format("%.2f"), Targets.DRAIN,
					Targets.verdict(row.ratio(), Targets.DRAIN, false)));
		}
	}

	private void scaleMarkdown(StringBuilder md) {
		md.append("\n### Scale: N sessions streaming, then all closed\n\n")
			.append("Clients: N JDK WebSockets in a second JVM (10,000 connections need 20,000 sockets, more "
					+ "open files than one process may have here), reading the same monotonic clock. Two server "
					+ "threads send 1 KB messages to every session in turn; after 1 s every session in "
					+ "`DrainingSessionRegistry.getSessions()` gets `closeAsync(GOING_AWAY)` while they keep "
					+ "sending: the drain a graceful shutdown runs, called directly. Lost = messages whose "
					+ "`sendMessage` returned minus messages the clients received; every run checks it is 0, that "
					+ "no `CloseResult` reports a drop or a timeout and that every client got a 1001 close frame. "
					+ "The `CloseResult` futures complete once the server has written every close frame (the "
					+ "close barrier's Ping and Pong included); the last close frame at a client also includes the client "
					+ "JVM working through 10,000 closes. Heap: used heap after GC with the N clients connected "
					+ "and idle, minus before, per session, on `/drained` and (at 1,000 sessions) on `/plain` "
					+ "(excluded path, stock Spring). The first size's runs follow one unmeasured warm-up run.\n\n")
			.append("| sessions | messages delivered | lost | closeAsync on all → last close frame at a client (ms) | "
					+ "→ all CloseResult futures (ms) | peak live threads in the JVM while closing | "
					+ "heap per idle session, stock Spring (bytes) | with wsdrain (bytes) | "
					+ "added by wsdrain (bytes, mean [95 % interval]) |\n")
			.append("|---:|---|---:|---|---|---|---|---|---|\n");
		this.scaleRows.forEach((row) -> md.append(row).append('\n'));
	}

	private static void ratioRow(StringBuilder md, String label, Map<Integer, Samples> ratios) {
		if (ratios.isEmpty()) {
			return;
		}
		md.append("| ").append(label);
		for (int size : Targets.SIZES) {
			md.append(" | ").append(ratios.containsKey(size) ? ratios.get(size).format("%.2f") : "–");
		}
		md.append(" |\n");
	}

	private static double[] difference(double[] a, double[] b) {
		double[] result = new double[a.length];
		for (int i = 0; i < a.length; i++) {
			result[i] = a[i] - b[i];
		}
		return result;
	}

	private static double[] scaled(Samples samples, double factor) {
		return new double[] { samples.median() * factor, samples.min() * factor, samples.max() * factor };
	}

	/**
	 * One drain cell.
	 */
	record DrainRow(int queued, int messageSize, Samples transfer, Samples drain, Samples ratio,
			Samples queuedAtClose) {

	}

}

package io.github.wsdrain.benchmarks;

import java.lang.management.ManagementFactory;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.github.wsdrain.benchmarks.WsDrainBenchmark.Cell;
import io.github.wsdrain.benchmarks.WsDrainBenchmark.Variant;

/**
 * Collects the measured cells and renders them as Markdown; the chart reads the same.
 */
final class Report {

	static final double TARGET_PLAIN = 0.95;

	static final double TARGET_SPRING = 1.0;

	static final double TARGET_DRAIN = 1.2;

	static final double TARGET_HEAP_BYTES = 2048;

	static final double TARGET_CLIENT = 0.95;

	static final double TARGET_ACKNOWLEDGED = 0.9;

	static final double TARGET_METRICS = 0.98;

	static final double TARGET_WIRE_OVERHEAD_PERCENT = 2.0;

	private final double loadAtStart = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

	private final Map<Integer, Map<Cell, double[]>> throughput = new LinkedHashMap<>();

	private final Map<Integer, Integer> throughputCounts = new LinkedHashMap<>();

	private final Map<Integer, Map<Cell, double[]>> throughputCpu = new LinkedHashMap<>();

	private final Map<Cell, double[]> overhead = new LinkedHashMap<>();

	private Map<Cell, double[]> metricsRates;

	private Map<Cell, double[]> metricsCpu;

	private int metricsCount;

	private long scrapes;

	private int meterCount;

	private double scrapeCpuNanos;

	final Map<Integer, Samples> plainRatios = new LinkedHashMap<>();

	final Map<Integer, Samples> springRatios = new LinkedHashMap<>();

	private final Map<Integer, Samples> rawRatios = new LinkedHashMap<>();

	final List<DrainRow> drains = new ArrayList<>();

	private double[][] idleClose;

	private CloseBarrierCell.Result closeBarrier;

	private final List<String> scaleRows = new ArrayList<>();

	private String heapObjects;

	private Map<WsDrainBenchmark.ClientVariant, double[]> clientRates;

	private Map<WsDrainBenchmark.ClientVariant, double[]> clientCpu;

	private int clientCount;

	private String clientSettings;

	Samples clientRatio;

	private Map<WsDrainBenchmark.ProtocolVariant, double[]> protocolRates;

	private Map<WsDrainBenchmark.ProtocolVariant, double[]> protocolCpu;

	private Map<WsDrainBenchmark.ProtocolVariant, CountingProxy.Bytes> protocolWire;

	private int protocolCount;

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
	}

	void overhead(Cell cell, double[] cpuNanosPerMessage) {
		this.overhead.put(cell, cpuNanosPerMessage);
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
		this.heapObjects = String.format(Locale.ROOT,
				"| %,d draining sessions created by `DrainingSessionRegistry.drainingSession` around container-less "
						+ "Spring `StandardWebSocketSession`s (retained heap after GC, `MemoryMXBean`) | %s | ≤ %.0f | %s |",
				count, samples.format("%.0f"), TARGET_HEAP_BYTES, verdict(samples.median() <= TARGET_HEAP_BYTES));
	}

	void scale(int count, double[] closeAllMillis, double[] futuresMillis, double[] delivered, double[] peakThreads,
			double[] heapDrained, double[] heapPlain) {
		String plain = "not measured (time budget)";
		String added = "–";
		if (heapPlain != null) {
			Samples samples = Samples.ratios(difference(heapDrained, heapPlain), ones(heapDrained.length));
			plain = new Samples(heapPlain).format("%,.0f");
			added = samples.format("%,.0f") + ((samples.median() <= TARGET_HEAP_BYTES) ? ", met" : ", **NOT MET**");
		}
		this.scaleRows.add(String.format(Locale.ROOT, "| %,d | %s | 0 | %s | %s | %s | %s | %s | %s |", count,
				new Samples(delivered).format("%,.0f"), new Samples(closeAllMillis).format("%.0f"),
				new Samples(futuresMillis).format("%.0f"), new Samples(peakThreads).format("%,.0f"), plain,
				new Samples(heapDrained).format("%,.0f"), added));
	}

	void client(int count, io.github.wsdrain.client.BufferedWebSocketClient settings,
			Map<WsDrainBenchmark.ClientVariant, double[]> rates, Map<WsDrainBenchmark.ClientVariant, double[]> cpu) {
		this.clientCount = count;
		this.clientRates = rates;
		this.clientCpu = cpu;
		this.clientSettings = String.format(Locale.ROOT, "buffer of %,d messages / %s, overflow policy %s",
				settings.getMaxBufferedMessages(), WsDrainBenchmark.bytes(settings.getMaxBufferedBytes().toBytes()),
				settings.getOverflowPolicy());
		this.clientRatio = Samples.ratios(rates.get(WsDrainBenchmark.ClientVariant.BUFFERED),
				rates.get(WsDrainBenchmark.ClientVariant.HANDLER));
	}

	void protocol(int count, Map<WsDrainBenchmark.ProtocolVariant, double[]> rates,
			Map<WsDrainBenchmark.ProtocolVariant, double[]> cpu,
			Map<WsDrainBenchmark.ProtocolVariant, CountingProxy.Bytes> wire) {
		this.protocolCount = count;
		this.protocolRates = rates;
		this.protocolCpu = cpu;
		this.protocolWire = wire;
	}

	void machine(int runs, int warmups, boolean quick, long seconds, List<String> sections, int allSections) {
		var os = ManagementFactory.getOperatingSystemMXBean();
		this.machine = String.format(Locale.ROOT,
				"%s UTC; %d CPUs (`nproc`), %s %s (%s), %s %s; system load average %.1f at start, %.1f at end; "
						+ "%d measured runs per cell after %d warm-up run(s), paired by round; whole run %d s%s.",
				OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")),
				Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
				System.getProperty("java.runtime.version"), System.getProperty("java.vm.vendor"), os.getName(),
				os.getVersion(), this.loadAtStart, os.getSystemLoadAverage(), runs, warmups, seconds,
				quick ? "; **QUICK MODE: reduced sizes, not for publication**" : "")
				+ ((sections.size() < allSections) ? " Sections run: " + String.join(", ", sections) + "." : "");
	}

	String markdown() {
		StringBuilder md = new StringBuilder();
		md.append("Measured ").append(this.machine).append("\n")
			.append("Each cell: median (min–max) over the runs. Ratios are taken run by run (round r of one cell "
					+ "over round r of the other, measured back to back) and then summarised.\n\n");

		if (!this.throughput.isEmpty()) {
			throughputMarkdown(md);
		}
		if (!this.overhead.isEmpty()) {
			overheadMarkdown(md);
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
			md.append("\n#### Heap per session, wsdrain objects alone\n\n")
				.append("| measured | bytes per session | target | met (median) |\n|---|---|---|---|\n")
				.append(this.heapObjects)
				.append('\n');
		}
		md.append("\n#### Client\n\n");
		if (this.clientRates != null) {
			clientMarkdown(md);
		}
		else {
			md.append("Section not run.\n");
		}
		if (this.clientRatio != null) {
			md.append(String.format(Locale.ROOT, "%n| ratio | result | target | met |%n|---|---|---|---|%n"));
			md.append(String.format(Locale.ROOT, "| buffering client / plain Spring handler, 1 KB | %s | ≥ %.2f | %s |%n",
					this.clientRatio.format("%.2f"), TARGET_CLIENT, verdict(this.clientRatio.median() >= TARGET_CLIENT)));
		}
		md.append("\n#### Acknowledged protocol (`wsdrain.v1`)\n\n");
		if (this.protocolRates != null) {
			protocolMarkdown(md);
		}
		else {
			md.append("Section not run.\n");
		}
		if (this.closeBarrier != null) {
			closeBarrierMarkdown(md);
		}
		return md.toString();
	}

	private void closeBarrierMarkdown(StringBuilder md) {
		CloseBarrierCell.Result result = this.closeBarrier;
		md.append("\n#### Close barrier (a Ping after the last message, the close frame after its Pong)\n\n")
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
					+ "and with `wsdrain.v1` (each message numbered `m:<seq>:`, the client acknowledging what the "
					+ "consumer took with `a:<seq>` once 32 KB have been taken (at most one every 2 ms) and every "
					+ "100 ms, the server keeping unacknowledged messages for replay, up to `wsdrain.server.resume.buffer-size=4MB`: the default 1 MB is smaller than what a bulk stream has in flight and gave 0.77 in the same setup). Every run checks that all messages and bytes arrived, then "
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
				(variant == WsDrainBenchmark.ProtocolVariant.PLAIN) ? "without the protocol" : "`wsdrain.v1`",
				bytes.toClient(), bytes.toServer(), bytes.total())));
		Samples ratio = Samples.ratios(this.protocolRates.get(WsDrainBenchmark.ProtocolVariant.ACKNOWLEDGED),
				this.protocolRates.get(WsDrainBenchmark.ProtocolVariant.PLAIN));
		double overhead = wireOverheadPercent();
		md.append(String.format(Locale.ROOT, "%n| ratio | result | target | met |%n|---|---|---|---|%n"))
			.append(String.format(Locale.ROOT, "| messages/s, `wsdrain.v1` / without, 1 KB | %s | ≥ %.1f | %s |%n",
					ratio.format("%.2f"), TARGET_ACKNOWLEDGED, verdict(ratio.median() >= TARGET_ACKNOWLEDGED)))
			.append(String.format(Locale.ROOT,
					"| process CPU per message, `wsdrain.v1` / without (lower is better) | %s | – | – |%n",
					Samples.ratios(this.protocolCpu.get(WsDrainBenchmark.ProtocolVariant.ACKNOWLEDGED),
							this.protocolCpu.get(WsDrainBenchmark.ProtocolVariant.PLAIN))
						.format("%.2f")))
			.append(String.format(Locale.ROOT, "| wire overhead, both ways | %+.2f%% | ≤ %.0f%% | %s |%n", overhead,
					TARGET_WIRE_OVERHEAD_PERCENT, verdict(overhead <= TARGET_WIRE_OVERHEAD_PERCENT)));
	}

	private double wireOverheadPercent() {
		long without = this.protocolWire.get(WsDrainBenchmark.ProtocolVariant.PLAIN).total();
		long with = this.protocolWire.get(WsDrainBenchmark.ProtocolVariant.ACKNOWLEDGED).total();
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
		md.append("#### Throughput (messages/s, first send to the client's receipt of the last message)\n\n")
			.append("Process CPU time per message: everything the JVM spent in the run (server, client, GC) over "
					+ "the messages; it depends far less than wall time on what else the machine runs.\n\n")
			.append("| message | variant | sending threads | messages per run | messages/s | MB/s (median) | "
					+ "process CPU µs per message |\n")
			.append("|---|---|---:|---:|---|---:|---|\n");
		this.throughput.forEach((size, cells) -> cells.forEach((cell, rates) -> {
			Samples samples = new Samples(rates);
			md.append(String.format(Locale.ROOT, "| %s | %s | %d | %,d | %s | %,.0f | %s |%n",
					WsDrainBenchmark.bytes(size), cell.variant().label, cell.threads(), this.throughputCounts.get(size),
					samples.format("%,.0f"), samples.median() * size / (1024 * 1024),
					new Samples(this.throughputCpu.get(size).get(cell)).format("%.1f")));
		}));

		md.append("\n#### Throughput ratios\n\n")
			.append("| ratio | 1 KB | 64 KB | target | met (median) |\n|---|---|---|---|---|\n");
		ratioRow(md, "wsdrain / plain session, 1 thread", this.plainRatios, TARGET_PLAIN);
		ratioRow(md, "wsdrain / Spring decorator, 4 threads", this.springRatios, TARGET_SPRING);
		ratioRow(md, "wsdrain / raw loopback TCP, 1 thread (share of the physical limit)", this.rawRatios, 0);
		md.append(String.format(Locale.ROOT, "| best run over best run (least disturbed by other load): "
				+ "wsdrain / plain, 1 thread; wsdrain / Spring decorator, 4 threads | %s | %s | – | – |%n",
				best(1024), best(64 * 1024)));
		Map<Integer, Samples> cpuPlain = new LinkedHashMap<>();
		Map<Integer, Samples> cpuSpring = new LinkedHashMap<>();
		this.throughputCpu.forEach((size, cells) -> {
			cpuPlain.put(size, Samples.ratios(cells.get(new Cell(Variant.WSDRAIN, 1)), cells.get(new Cell(Variant.PLAIN, 1))));
			cpuSpring.put(size,
					Samples.ratios(cells.get(new Cell(Variant.WSDRAIN, 4)), cells.get(new Cell(Variant.SPRING, 4))));
		});
		ratioRow(md, "process CPU per message, wsdrain / plain session, 1 thread (lower is better)", cpuPlain, 0);
		ratioRow(md, "process CPU per message, wsdrain / Spring decorator, 4 threads (lower is better)", cpuSpring, 0);
	}

	private void overheadMarkdown(StringBuilder md) {
		md.append("\n#### Cost of the decorator alone (no network, no client)\n\n")
			.append("1 KB binary messages to a session with no container behind it (it copies the payload and "
					+ "counts it); the sender threads' own CPU time per message, summed over the threads.\n\n")
			.append("| variant | sending threads | CPU ns per message |\n|---|---:|---|\n");
		this.overhead.forEach((cell, values) -> md.append(String.format(Locale.ROOT, "| %s | %d | %s |%n",
				(cell.variant() == Variant.PLAIN) ? "container session called directly" : cell.variant().label,
				cell.threads(), new Samples(values).format("%,.0f"))));
	}

	private void metricsMarkdown(StringBuilder md) {
		md.append("\n#### Cost of metrics\n\n")
			.append("1 KB binary messages on one thread, ")
			.append(String.format(Locale.ROOT, "%,d", this.metricsCount))
			.append(" per run, measured like the throughput cells (first send to the client's receipt of the last "
					+ "message, ABBA pairs, a GC before each run). Both cells: a `DrainingWebSocketSession` from a "
					+ "`DrainingSessionRegistry` with the server's settings, around the container's session on "
					+ "`/plain`. With metrics, the registry's listener is `WsDrainServerMetrics` bound to a "
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
		md.append(String.format(Locale.ROOT, "%n| ratio | result | target | met (median) |%n|---|---|---|---|%n"))
			.append(String.format(Locale.ROOT, "| messages/s, with metrics / without, 1 KB, 1 thread | %s | ≥ %.2f | %s |%n",
					ratio.format("%.3f"), TARGET_METRICS, verdict(ratio.median() >= TARGET_METRICS)))
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
			md.append("\n#### Close of an idle session (the fixed cost of a close)\n\n")
				.append("| session | close → close frame at client (ms) |\n|---|---|\n")
				.append(String.format(Locale.ROOT, "| plain session, `close(NORMAL)` | %s |%n",
						new Samples(this.idleClose[0]).format("%.2f")))
				.append(String.format(Locale.ROOT, "| wsdrain, `closeAsync(NORMAL)` | %s |%n",
						new Samples(this.idleClose[1]).format("%.2f")));
		}

		md.append("\n#### Drain time\n\n")
			.append("64 KB messages handed to the session while the client reads nothing, on one connection: "
					+ "first they cross with no close (client resumed at t0, until the last message arrives), "
					+ "then the same bytes are queued again and `closeAsync(NORMAL)` is called as the client "
					+ "resumes (t0, until the client receives the close frame, after every message).\n\n")
			.append("| queued | of which still in wsdrain's queue at t0 | same bytes, no close (ms) | "
					+ "closeAsync → close frame at client (ms) | ratio | target | met (median) |\n")
			.append("|---|---|---|---|---|---|---|\n");
		for (DrainRow row : this.drains) {
			md.append(String.format(Locale.ROOT, "| %s | %s MB | %s | %s | %s | ≤ %.1f | %s |%n",
					WsDrainBenchmark.bytes(row.queued()),
					new Samples(scaled(row.queuedAtClose(), 1.0 / (1024 * 1024))).format("%.1f"),
					row.transfer().format("%.1f"), row.drain().format("%.1f"), row.ratio().format("%.2f"), TARGET_DRAIN,
					verdict(row.ratio().median() <= TARGET_DRAIN)));
		}
	}

	private void scaleMarkdown(StringBuilder md) {
		md.append("\n#### Scale: N sessions streaming, then all closed\n\n")
			.append("Clients: N JDK WebSockets in a second JVM (10,000 connections need 20,000 sockets; "
					+ "this machine allows 20,000 open files per process and `ulimit -n` cannot be raised above "
					+ "that), reading the same monotonic clock. Two server threads send 1 KB messages to every "
					+ "session in turn; after 1 s every session in `DrainingSessionRegistry.getSessions()` gets "
					+ "`closeAsync(GOING_AWAY)` while they keep sending. Graceful shutdown (`context.close()` "
					+ "draining every session) is being built on another branch, so this measures the same drain "
					+ "called directly. Lost = messages whose `sendMessage` returned minus messages the clients "
					+ "received; every run checks it is 0, that no `CloseResult` reports a drop or a timeout and "
					+ "that every client got a 1001 close frame. CloseResult futures complete when the server "
					+ "has written the close frame; the last close frame at a client also includes the client "
					+ "JVM working through 10,000 closes. Heap: used heap after GC with the N clients connected "
					+ "and idle, minus before, per session, on `/drained` and (at 1,000 sessions) on `/plain` "
					+ "(excluded path, stock Spring). The first size's runs follow one unmeasured warm-up run.\n\n")
			.append("| sessions | messages delivered | lost | closeAsync on all → last close frame at a client (ms) | "
					+ "→ all CloseResult futures (ms) | peak live threads in the JVM while closing | "
					+ "heap per idle session, stock Spring (bytes) | with wsdrain (bytes) | "
					+ "added by wsdrain (bytes, target ≤ 2,048) |\n")
			.append("|---:|---|---:|---|---|---|---|---|---|\n");
		this.scaleRows.forEach((row) -> md.append(row).append('\n'));
	}

	private static void ratioRow(StringBuilder md, String label, Map<Integer, Samples> ratios, double target) {
		if (ratios.size() < 2) {
			return;
		}
		Samples small = ratios.get(1024);
		Samples large = ratios.get(64 * 1024);
		String met = (target == 0) ? "–"
				: verdict(small.median() >= target) + " / " + verdict(large.median() >= target);
		md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", label, small.format("%.2f"),
				large.format("%.2f"), (target == 0) ? "–" : String.format(Locale.ROOT, "≥ %.2f", target), met));
	}

	private String best(int size) {
		Map<Cell, double[]> cells = this.throughput.get(size);
		return String.format(Locale.ROOT, "%.2f; %.2f",
				new Samples(cells.get(new Cell(Variant.WSDRAIN, 1))).max()
						/ new Samples(cells.get(new Cell(Variant.PLAIN, 1))).max(),
				new Samples(cells.get(new Cell(Variant.WSDRAIN, 4))).max()
						/ new Samples(cells.get(new Cell(Variant.SPRING, 4))).max());
	}

	private static String verdict(boolean met) {
		return met ? "yes" : "**NO**";
	}

	private static double[] difference(double[] a, double[] b) {
		double[] result = new double[a.length];
		for (int i = 0; i < a.length; i++) {
			result[i] = a[i] - b[i];
		}
		return result;
	}

	private static double[] ones(int n) {
		double[] result = new double[n];
		Arrays.fill(result, 1);
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

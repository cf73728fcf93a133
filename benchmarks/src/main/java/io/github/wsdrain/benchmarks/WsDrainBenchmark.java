package io.github.wsdrain.benchmarks;

import io.github.wsdrain.metrics.WsDrainServerMetrics;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.wsdrain.client.BufferedWebSocketClient;
import io.github.wsdrain.server.resume.ResumableSession;
import io.github.wsdrain.server.resume.ResumableSessions;
import io.github.wsdrain.session.CloseResult;
import io.github.wsdrain.session.DrainSettings;
import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.session.OverflowPolicy;
import io.github.wsdrain.session.SessionClosingException;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.standard.StandardWebSocketSession;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;

/**
 * Measures wsdrain against stock Spring WebSocket and raw loopback transfer in one run,
 * on an embedded Tomcat with JDK WebSocket clients, and writes {@code results.md} and
 * {@code chart.png} under {@code -Dbench.out}. Every cell repeats its runs after a
 * warm-up and checks that every message arrived; any failure ends the run with exit
 * status 1 and no table.
 */
public final class WsDrainBenchmark {

	private static final String ALL_SECTIONS = "throughput,overhead,metrics,drain,heap,scale,client,protocol,barrier";

	/** Throughput runs are short and many: pairs of short runs see the same load of a shared machine. */
	private static final int THROUGHPUT_RUNS_FACTOR = 3;

	private static final int KB = 1024;

	private static final int MB = 1024 * 1024;

	/** Scrapes timed together, after as many unmeasured: one is far below the thread CPU clock's resolution. */
	private static final int SCRAPES_TIMED = 100_000;

	/** Longest wait for anything in a run; a run that needs longer has failed. */
	private static final long WAIT_SECONDS = 120;

	private final int runs;

	private final int warmups;

	private final boolean quick;

	private final Path out;

	private final List<String> sections;

	private final ConfigurableApplicationContext context;

	private final BenchServer server;

	private final DrainingSessionRegistry registry;

	private final Metering metering;

	private final int port;

	private final HttpClient httpClient = HttpClient.newHttpClient();

	private final ExecutorService senders = Executors.newFixedThreadPool(4);

	private final Report report = new Report();

	private WsDrainBenchmark(int runs, boolean quick, Path out, List<String> sections) {
		this.runs = runs;
		this.warmups = quick ? 1 : 3;
		this.quick = quick;
		this.out = out;
		this.sections = sections;
		this.context = BenchServer.start();
		this.server = this.context.getBean(BenchServer.class);
		this.registry = this.context.getBean(DrainingSessionRegistry.class);
		this.metering = new Metering(this.context.getBean(DrainSettings.class),
				this.context.getBeanProvider(ResumableSessions.class));
		this.port = BenchServer.port(this.context);
	}

	public static void main(String[] args) {
		int runs = Integer.getInteger("bench.runs", 5);
		boolean quick = Boolean.getBoolean("bench.quick");
		Path out = Path.of(System.getProperty("bench.out", "target/bench"));
		List<String> sections = List.of(System.getProperty("bench.sections", ALL_SECTIONS).split(","));
		int status = 1;
		try {
			if (runs < (quick ? 1 : 5)) {
				throw new IllegalArgumentException("bench.runs must be at least 5 (quick mode: 1), not " + runs);
			}
			if (!List.of(ALL_SECTIONS.split(",")).containsAll(sections)) {
				throw new IllegalArgumentException("bench.sections must list some of " + ALL_SECTIONS + ", not " + sections);
			}
			WsDrainBenchmark benchmark = new WsDrainBenchmark(runs, quick, out, sections);
			try {
				benchmark.run();
			}
			finally {
				benchmark.metering.close();
				benchmark.context.close();
			}
			status = 0;
		}
		catch (Throwable ex) {
			System.err.println();
			System.err.println("BENCHMARK FAILED: " + ex);
			ex.printStackTrace();
		}
		System.exit(status);
	}

	private void run() throws Exception {
		long started = System.nanoTime();
		log("wsdrain benchmark: %d runs per cell after %d warm-up runs%s; Tomcat on 127.0.0.1:%d", this.runs,
				this.warmups, this.quick ? " (QUICK: reduced sizes, not for publication)" : "", this.port);
		if (this.sections.contains("throughput")) {
			throughput();
		}
		if (this.sections.contains("overhead")) {
			overhead();
		}
		if (this.sections.contains("metrics")) {
			metrics();
		}
		if (this.sections.contains("drain")) {
			drain();
		}
		if (this.sections.contains("heap")) {
			heapPerSessionObjects();
		}
		if (this.sections.contains("scale")) {
			scale();
		}
		if (this.sections.contains("client")) {
			client();
		}
		if (this.sections.contains("protocol")) {
			protocol();
		}
		if (this.sections.contains("barrier")) {
			log("Close barrier: idle close and %s-session close, without and with the barrier", "1,000");
			try (CloseBarrierCell cell = new CloseBarrierCell(this.server, this.context.getBean(DrainSettings.class),
					this::uri)) {
				this.report.closeBarrier(cell.measure(this.runs, this.warmups));
			}
		}
		this.report.machine(this.runs, this.warmups, this.quick, (System.nanoTime() - started) / 1_000_000_000L,
				this.sections, ALL_SECTIONS.split(",").length);
		Files.createDirectories(this.out);
		String markdown = this.report.markdown();
		Files.writeString(this.out.resolve("results.md"), markdown, StandardCharsets.UTF_8);
		new Chart(this.report).write(this.out.resolve("chart.png"));
		System.out.println();
		System.out.println(markdown);
		log("Wrote %s and %s", this.out.resolve("results.md").toAbsolutePath(),
				this.out.resolve("chart.png").toAbsolutePath());
	}

	// ---------------------------------------------------------------- throughput

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

	private void throughput() throws Exception {
		// Each ratio's two cells run back to back, in ABBA order over the rounds: on a shared machine
		// the load changes from second to second, and a pair measured together sees the same load.
		List<List<Cell>> pairs = List.of(List.of(new Cell(Variant.PLAIN, 1), new Cell(Variant.WSDRAIN, 1)),
				List.of(new Cell(Variant.SPRING, 4), new Cell(Variant.WSDRAIN, 4)),
				List.of(new Cell(Variant.RAW, 1), new Cell(Variant.SPRING, 1)));
		List<Cell> cells = List.of(new Cell(Variant.RAW, 1), new Cell(Variant.PLAIN, 1), new Cell(Variant.SPRING, 1),
				new Cell(Variant.WSDRAIN, 1), new Cell(Variant.SPRING, 4), new Cell(Variant.WSDRAIN, 4));
		int rounds = this.runs * THROUGHPUT_RUNS_FACTOR;
		for (int size : new int[] { KB, 64 * KB }) {
			// ~0.2-0.5 s per run here: long against the 10 ms tick of the process CPU clock, short
			// enough that the two runs of a pair see the same load.
			int count = ((size == KB) ? 32_000 : 1_600) / (this.quick ? 4 : 1);
			log("Throughput, %s messages, %,d per run", bytes(size), count);
			for (int w = 0; w < this.warmups; w++) {
				for (Cell cell : cells) {
					throughputRun(cell, size, count);
				}
			}
			Map<Cell, double[]> rates = new LinkedHashMap<>();
			Map<Cell, double[]> cpu = new LinkedHashMap<>();
			cells.forEach((cell) -> rates.put(cell, new double[rounds]));
			cells.forEach((cell) -> cpu.put(cell, new double[rounds]));
			for (int r = 0; r < rounds; r++) {
				for (int p = 0; p < pairs.size(); p++) {
					List<Cell> pair = pairs.get((p + r) % pairs.size());
					for (int k = 0; k < 2; k++) {
						Cell cell = pair.get((r % 2 == 0) ? k : 1 - k);
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
			rates.forEach((cell, values) -> this.report.throughput(size, cell, count, values, cpu.get(cell)));
		}
	}

	/** Wall time of a run, and the CPU time the whole process used in it (server, client, GC). */
	record Timing(long wallNanos, long cpuNanos) {

	}

	private static long processCpuNanos() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
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
		ReceivingClient client = ReceivingClient.connect(this.httpClient, uri(drained ? "/drained" : "/plain"), false);
		WebSocketSession raw = (drained ? this.server.drained() : this.server.plain()).next();
		WebSocketSession session = switch (cell.variant()) {
			case PLAIN -> raw;
			case SPRING -> new ConcurrentWebSocketSessionDecorator(raw, 10_000, BenchServer.SEND_BUFFER_BYTES);
			case WSDRAIN -> requireDraining(raw);
			case UNMETERED -> this.metering.unmetered().drainingSession(raw);
			case METERED -> this.metering.metered().drainingSession(raw);
			case RAW -> throw new IllegalStateException();
		};
		ByteBuffer payload = ByteBuffer.wrap(filler(size));
		CompletableFuture<Long> received = client.whenReceived(count);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> sends = new ArrayList<>();
		int perThread = count / cell.threads();
		for (int t = 0; t < cell.threads(); t++) {
			sends.add(this.senders.submit(() -> {
				start.await();
				for (int i = 0; i < perThread; i++) {
					session.sendMessage(new BinaryMessage(payload.duplicate()));
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
		closeAndAwait(session, client, CloseStatus.NORMAL);
		return new Timing(finished - started, cpuNanos);
	}

	// ---------------------------------------------------------------- overhead

	/**
	 * What each decorator costs per message with no network and no client: the sender
	 * threads' CPU time per message around a {@link SinkSession}. Thread CPU time hardly
	 * depends on what else runs on the machine, unlike wall time.
	 */
	private void overhead() throws Exception {
		int count = this.quick ? 200_000 : 1_000_000;
		List<Cell> cells = List.of(new Cell(Variant.PLAIN, 1), new Cell(Variant.SPRING, 1), new Cell(Variant.WSDRAIN, 1),
				new Cell(Variant.SPRING, 4), new Cell(Variant.WSDRAIN, 4));
		DrainSettings unbounded = new DrainSettings(DataSize.ofGigabytes(8), Duration.ofSeconds(10),
				OverflowPolicy.BLOCK, Duration.ofSeconds(10));
		DrainingSessionRegistry sinks = new DrainingSessionRegistry(unbounded, List.of());
		log("Overhead per message, 1 KB, %,d messages per run, no network", count);
		try {
			for (int w = 0; w < this.warmups; w++) {
				for (Cell cell : cells) {
					overheadRun(sinks, cell, count);
				}
			}
			Map<Cell, double[]> cpu = new LinkedHashMap<>();
			cells.forEach((cell) -> cpu.put(cell, new double[this.runs]));
			for (int r = 0; r < this.runs; r++) {
				for (Cell cell : cells) {
					cpu.get(cell)[r] = overheadRun(sinks, cell, count);
				}
			}
			cpu.forEach((cell, values) -> this.report.overhead(cell, values));
		}
		finally {
			sinks.destroy();
		}
	}

	/** Return the sender threads' CPU nanoseconds per message. */
	private double overheadRun(DrainingSessionRegistry sinks, Cell cell, int count) throws Exception {
		SinkSession sink = new SinkSession();
		WebSocketSession session = switch (cell.variant()) {
			case PLAIN -> sink;
			case SPRING -> new ConcurrentWebSocketSessionDecorator(sink, 10_000, Integer.MAX_VALUE);
			case WSDRAIN -> sinks.drainingSession(sink);
			case RAW, UNMETERED, METERED -> throw new IllegalStateException();
		};
		BinaryMessage message = new BinaryMessage(filler(KB));
		CountDownLatch start = new CountDownLatch(1);
		int perThread = count / cell.threads();
		List<Future<Long>> sends = new ArrayList<>();
		for (int t = 0; t < cell.threads(); t++) {
			sends.add(this.senders.submit(() -> {
				start.await();
				var threads = ManagementFactory.getThreadMXBean();
				long before = threads.getCurrentThreadCpuTime();
				for (int i = 0; i < perThread; i++) {
					session.sendMessage(message);
				}
				return threads.getCurrentThreadCpuTime() - before;
			}));
		}
		System.gc();
		start.countDown();
		long cpuNanos = 0;
		for (Future<Long> send : sends) {
			cpuNanos += send.get(WAIT_SECONDS, TimeUnit.SECONDS);
		}
		check(sink.messages() == (long) perThread * cell.threads(), "%s overhead run: %d of %d messages reached the session",
				cell, sink.messages(), (long) perThread * cell.threads());
		session.close(CloseStatus.NORMAL);
		if (session instanceof DrainingWebSocketSession draining) {
			await(draining.getCloseFuture(), "the close of a sink session");
		}
		return cpuNanos / (double) count;
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
	private void metrics() throws Exception {
		int count = 32_000 / (this.quick ? 4 : 1);
		List<Cell> pair = List.of(new Cell(Variant.UNMETERED, 1), new Cell(Variant.METERED, 1));
		int rounds = this.runs * THROUGHPUT_RUNS_FACTOR * 4;
		log("Metrics, 1 KB messages, %,d per run, with and without a meter registry", count);
		long meteredRuns = 0;
		for (int w = 0; w < this.warmups; w++) {
			for (Cell cell : pair) {
				metricsRun(cell, count);
			}
			meteredRuns++;
		}
		long scrapesBefore = this.metering.scrapes();
		Map<Cell, double[]> rates = new LinkedHashMap<>();
		Map<Cell, double[]> cpu = new LinkedHashMap<>();
		pair.forEach((cell) -> rates.put(cell, new double[rounds]));
		pair.forEach((cell) -> cpu.put(cell, new double[rounds]));
		for (int r = 0; r < rounds; r++) {
			for (int k = 0; k < 2; k++) {
				Cell cell = pair.get((r % 2 == 0) ? k : 1 - k);
				Timing timing = metricsRun(cell, count);
				rates.get(cell)[r] = count / (timing.wallNanos() / 1e9);
				cpu.get(cell)[r] = timing.cpuNanos() / 1e3 / count;
			}
			meteredRuns++;
			log("  round %d/%d: without %,.0f/s; with metrics %,.0f/s", r + 1, rounds,
					rates.get(pair.get(0))[r], rates.get(pair.get(1))[r]);
		}
		// The metered runs must have been recorded, or this measured nothing.
		var meters = this.metering.meters();
		double sent = meters.get("wsdrain.messages.sent").functionCounter().count();
		long closes = meters.get("wsdrain.drain.duration").tag("outcome", "complete").timer().count();
		check(sent == (double) meteredRuns * count && closes == meteredRuns,
				"metrics: %,.0f messages sent and %d closes recorded, expected %,d and %d", sent, closes,
				meteredRuns * count, meteredRuns);
		long scrapes = this.metering.scrapes() - scrapesBefore;
		// The first batch warms the scrape up; the second is the measurement.
		this.metering.scrapeCpuNanos(SCRAPES_TIMED);
		this.report.metrics(count, rates, cpu, scrapes, this.metering.meterCount(),
				this.metering.scrapeCpuNanos(SCRAPES_TIMED));
	}

	private Timing metricsRun(Cell cell, int count) throws Exception {
		if (cell.variant() != Variant.METERED) {
			return throughputRun(cell, KB, count);
		}
		this.metering.startScraping();
		try {
			return throughputRun(cell, KB, count);
		}
		finally {
			this.metering.stopScraping();
		}
	}

	// ---------------------------------------------------------------- drain

	private void drain() throws Exception {
		idleClose();
		int size = 64 * KB;
		int[] queuedSizes = this.quick ? new int[] { MB, 8 * MB } : new int[] { MB, 8 * MB, 64 * MB };
		for (int queued : queuedSizes) {
			log("Drain, %s queued in %s messages", bytes(queued), bytes(size));
			for (int w = 0; w < this.warmups; w++) {
				drainRun(queued, size);
			}
			double[] transfer = new double[this.runs];
			double[] drain = new double[this.runs];
			double[] inQueue = new double[this.runs];
			for (int r = 0; r < this.runs; r++) {
				DrainRun run = drainRun(queued, size);
				transfer[r] = run.transferNanos() / 1e6;
				drain[r] = run.drainNanos() / 1e6;
				inQueue[r] = run.queuedAtClose();
				log("  run %d/%d: no close %.1f ms, closeAsync → close frame %.1f ms", r + 1, this.runs, transfer[r],
						drain[r]);
			}
			this.report.drain(queued, size, transfer, drain, inQueue);
		}
	}

	/**
	 * The fixed cost of a close, with nothing queued: from {@code close} to the client's
	 * receipt of the close frame, for the container's session ({@code /plain}) and for
	 * {@code closeAsync} on a draining one, in pairs.
	 */
	private void idleClose() throws Exception {
		log("Close of an idle session");
		double[] plain = new double[this.runs];
		double[] drained = new double[this.runs];
		for (int r = -this.warmups; r < this.runs; r++) {
			double plainMillis = idleCloseRun(false);
			double drainedMillis = idleCloseRun(true);
			if (r >= 0) {
				plain[r] = plainMillis;
				drained[r] = drainedMillis;
			}
		}
		this.report.idleClose(plain, drained);
	}

	private double idleCloseRun(boolean drained) throws Exception {
		ReceivingClient client = ReceivingClient.connect(this.httpClient, uri(drained ? "/drained" : "/plain"), false);
		WebSocketSession session = (drained ? this.server.drained() : this.server.plain()).next();
		check(session instanceof DrainingWebSocketSession == drained, "idle close: unexpected session %s", session);
		Thread.sleep(20);
		long started = System.nanoTime();
		if (session instanceof DrainingWebSocketSession draining) {
			draining.closeAsync(CloseStatus.NORMAL);
		}
		else {
			session.close(CloseStatus.NORMAL);
		}
		ReceivingClient.Close close = await(client.closed(), "the close frame of an idle session");
		check(close.code() == CloseStatus.NORMAL.getCode(), "idle close: code %d", close.code());
		return (close.nanos() - started) / 1e6;
	}

	record DrainRun(long transferNanos, long drainNanos, long queuedAtClose) {

	}

	/**
	 * One connection: the bytes cross once with no close (client paused while they are
	 * sent, then resumed), then the same bytes are queued again the same way and the
	 * session is closed as the client resumes.
	 */
	private DrainRun drainRun(int queued, int size) throws Exception {
		int count = queued / size;
		ReceivingClient client = ReceivingClient.connect(this.httpClient, uri("/drained"), true);
		DrainingWebSocketSession session = requireDraining(this.server.drained().next());
		ByteBuffer payload = ByteBuffer.wrap(filler(size));

		// Unmeasured: the same bytes once, so that both measured phases find TCP's windows grown alike.
		List<Future<?>> sends = sendWhilePaused(session, payload, count);
		CompletableFuture<Long> allThrough = client.whenReceived(count);
		client.resume();
		await(allThrough, "the warm-up transfer of " + bytes(queued));
		awaitAll(sends);

		client.pause();
		sends = sendWhilePaused(session, payload, count);
		allThrough = client.whenReceived(2L * count);
		long started = System.nanoTime();
		client.resume();
		long transferNanos = await(allThrough, "the transfer of " + bytes(queued)) - started;
		awaitAll(sends);

		client.pause();
		sends = sendWhilePaused(session, payload, count);
		long queuedAtClose = session.getQueuedBytes();
		started = System.nanoTime();
		CompletableFuture<CloseResult> closing = session.closeAsync(CloseStatus.NORMAL);
		client.resume();
		ReceivingClient.Close close = await(client.closed(), "the close frame after " + bytes(queued));
		long drainNanos = close.nanos() - started;
		CloseResult result = await(closing, "the close result");
		awaitAll(sends);
		check(close.code() == CloseStatus.NORMAL.getCode(), "drain run: close code %d, expected 1000", close.code());
		check(client.messages() == 3L * count && client.bytes() == 3L * count * size,
				"drain run: client received %d messages / %d bytes before the close frame, expected %d / %d",
				client.messages(), client.bytes(), 3L * count, 3L * count * size);
		check(result.dropped() == 0 && !result.drainTimedOut(), "drain run: %s", result);
		return new DrainRun(transferNanos, drainNanos, queuedAtClose);
	}

	/**
	 * Hand {@code count} messages to the session from a pool while the client reads
	 * nothing: the thread that writes blocks once the socket is full, the others queue.
	 * Returns once every message is accepted (the writer's own call may still block).
	 */
	private List<Future<?>> sendWhilePaused(DrainingWebSocketSession session, ByteBuffer payload, int count)
			throws Exception {
		long target = session.getAcceptedMessages() + count;
		List<Future<?>> sends = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			sends.add(this.senders.submit(() -> {
				session.sendMessage(new BinaryMessage(payload.duplicate()));
				return null;
			}));
		}
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
		while (session.getAcceptedMessages() < target) {
			check(System.nanoTime() < deadline, "only %d of %d messages accepted", session.getAcceptedMessages(),
					target);
			Thread.sleep(1);
		}
		return sends;
	}

	// ---------------------------------------------------------------- heap

	/**
	 * Retained heap of the draining wrapper alone: N Spring sessions without a container
	 * behind them, then a draining session for each through the registry (which also
	 * keeps it in its set and in the session's attributes).
	 */
	private void heapPerSessionObjects() throws Exception {
		int count = this.quick ? 20_000 : 100_000;
		log("Heap per session, %,d draining sessions around container-less Spring sessions", count);
		double[] perSession = new double[this.runs];
		for (int r = 0; r < this.runs; r++) {
			DrainingSessionRegistry objects = new DrainingSessionRegistry(DrainSettings.DEFAULTS, List.of());
			try {
				List<WebSocketSession> sessions = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					sessions.add(new StandardWebSocketSession(new HttpHeaders(), new HashMap<>(), null, null));
				}
				long before = usedHeapAfterGc();
				List<DrainingWebSocketSession> drained = new ArrayList<>(count);
				for (WebSocketSession session : sessions) {
					drained.add(objects.drainingSession(session));
				}
				long after = usedHeapAfterGc();
				check(drained.size() == count && objects.getSessions().size() == count, "heap run: %d sessions",
						drained.size());
				// The list holding them is the benchmark's, not wsdrain's.
				perSession[r] = (after - before - (16 + 4L * count)) / (double) count;
				sessions.clear();
				drained.clear();
			}
			finally {
				objects.destroy();
			}
		}
		this.report.heapObjects(count, perSession);
	}

	private static long usedHeapAfterGc() throws InterruptedException {
		for (int i = 0; i < 3; i++) {
			System.gc();
			Thread.sleep(50);
		}
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	// ---------------------------------------------------------------- scale

	private void scale() throws Exception {
		int[] counts = this.quick ? new int[] { 200, 1_000 } : new int[] { 1_000, 10_000 };
		// A warm-up run at the smaller size serves both sizes: one 10,000-session run takes ~35 s here.
		log("Scale, warm-up run with %,d sessions", counts[0]);
		scaleRun(counts[0], false);
		for (int count : counts) {
			// The stock-Spring heap runs double the connections: only at the smaller size, within the time budget.
			boolean comparePlain = count == counts[0];
			log("Scale, %,d sessions%s", count, comparePlain ? ", and the same number idle on /plain" : "");
			double[] heapDrained = new double[this.runs];
			double[] heapPlain = comparePlain ? new double[this.runs] : null;
			double[] closeAllMillis = new double[this.runs];
			double[] futuresMillis = new double[this.runs];
			double[] delivered = new double[this.runs];
			double[] peakThreads = new double[this.runs];
			for (int r = 0; r < this.runs; r++) {
				ScaleRun run = scaleRun(count, false);
				heapDrained[r] = run.heapPerSession();
				closeAllMillis[r] = run.closeAllNanos() / 1e6;
				futuresMillis[r] = run.futuresNanos() / 1e6;
				delivered[r] = run.delivered();
				peakThreads[r] = run.peakThreads();
				if (comparePlain) {
					heapPlain[r] = scaleRun(count, true).heapPerSession();
				}
				log("  run %d/%d: %,d messages delivered, 0 lost, all close frames received %.0f ms after closeAsync, "
						+ "peak %d live threads", r + 1, this.runs, run.delivered(), closeAllMillis[r], run.peakThreads());
			}
			this.report.scale(count, closeAllMillis, futuresMillis, delivered, peakThreads, heapDrained, heapPlain);
		}
	}

	record ScaleRun(double heapPerSession, long closeAllNanos, long futuresNanos, long delivered, int peakThreads) {

	}

	/**
	 * N clients in a separate JVM connect; the heap after GC is taken with them idle.
	 * On {@code /drained}: two threads stream 1 KB messages to every session in turn for
	 * a second, then every session of the registry is closed with 1001 while they keep
	 * sending; the run checks that each message whose {@code sendMessage} returned
	 * arrived and that every client got the close frame. On {@code /plain} (excluded,
	 * stock Spring) only the idle heap is taken.
	 */
	private ScaleRun scaleRun(int count, boolean plain) throws Exception {
		long heapBefore = usedHeapAfterGc();
		Process clients = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx2g", "-cp", System.getProperty("java.class.path"), ScaleClients.class.getName(),
				uri(plain ? "/plain" : "/drained").toString(), Integer.toString(count))
			.redirectError(ProcessBuilder.Redirect.INHERIT)
			.start();
		BlockingQueue<String> lines = new LinkedBlockingQueue<>();
		Thread reader = new Thread(() -> {
			try (BufferedReader in = new BufferedReader(new InputStreamReader(clients.getInputStream()))) {
				in.lines().forEach(lines::add);
			}
			catch (Exception ex) {
				lines.add("ERROR reading the clients' output: " + ex);
			}
		}, "scale-clients-output");
		reader.setDaemon(true);
		reader.start();
		try {
			expectLine(lines, "CONNECTED");
			List<WebSocketSession> sessions = (plain ? this.server.plain() : this.server.drained()).next(count);
			double heapPerSession = (usedHeapAfterGc() - heapBefore) / (double) count;
			if (plain) {
				for (WebSocketSession session : sessions) {
					session.close(CloseStatus.GOING_AWAY);
				}
				expectLine(lines, "RESULT");
				return new ScaleRun(heapPerSession, 0, 0, 0, 0);
			}
			List<DrainingWebSocketSession> drained = sessions.stream().map(WsDrainBenchmark::requireDraining).toList();
			check(this.registry.getSessions().size() == count, "registry holds %d sessions, expected %d",
					this.registry.getSessions().size(), count);
			ByteBuffer payload = ByteBuffer.wrap(filler(KB));
			List<Future<Long>> streams = new ArrayList<>();
			for (int t = 0; t < 2; t++) {
				List<DrainingWebSocketSession> share = drained.subList(t * count / 2, (t + 1) * count / 2);
				streams.add(this.senders.submit(() -> stream(share, payload)));
			}
			Thread.sleep(this.quick ? 300 : 1000);
			var threads = ManagementFactory.getThreadMXBean();
			threads.resetPeakThreadCount();
			long started = System.nanoTime();
			List<CompletableFuture<CloseResult>> closing = new ArrayList<>(count);
			for (DrainingWebSocketSession session : this.registry.getSessions()) {
				closing.add(session.closeAsync(CloseStatus.GOING_AWAY));
			}
			CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(WAIT_SECONDS, TimeUnit.SECONDS);
			long futuresNanos = System.nanoTime() - started;
			long accepted = 0;
			for (Future<Long> stream : streams) {
				accepted += stream.get(WAIT_SECONDS, TimeUnit.SECONDS);
			}
			long dropped = 0;
			for (CompletableFuture<CloseResult> result : closing) {
				check(!result.get().drainTimedOut(), "scale run: drain timed out: %s", result.get());
				dropped += result.get().dropped();
			}
			Map<String, String> result = fields(expectLine(lines, "RESULT"));
			long received = Long.parseLong(result.get("received"));
			check(result.get("codes").equals("1001:" + count), "scale run: close codes %s, expected 1001:%d",
					result.get("codes"), count);
			check(dropped == 0 && received == accepted,
					"scale run: %,d messages accepted, %,d received, %,d reported dropped", accepted, received, dropped);
			long closeAllNanos = Long.parseLong(result.get("lastCloseNanos")) - started;
			return new ScaleRun(heapPerSession, closeAllNanos, futuresNanos, received, threads.getPeakThreadCount());
		}
		finally {
			if (!clients.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
				clients.destroyForcibly();
			}
			check(clients.exitValue() == 0, "scale clients exited with %d", clients.exitValue());
		}
	}

	/** Send to each session in turn until every one refuses; return the messages accepted. */
	private static long stream(List<DrainingWebSocketSession> sessions, ByteBuffer payload) throws Exception {
		boolean[] refused = new boolean[sessions.size()];
		int open = sessions.size();
		long accepted = 0;
		while (open > 0) {
			for (int i = 0; i < refused.length; i++) {
				if (refused[i]) {
					continue;
				}
				try {
					sessions.get(i).sendMessage(new BinaryMessage(payload.duplicate()));
					accepted++;
				}
				catch (SessionClosingException ex) {
					refused[i] = true;
					open--;
				}
			}
		}
		return accepted;
	}

	private static String expectLine(BlockingQueue<String> lines, String prefix) throws Exception {
		String line = lines.poll(300, TimeUnit.SECONDS);
		check(line != null, "scale clients: no '%s' line within 300 s", prefix);
		check(line.startsWith(prefix), "scale clients: '%s', expected '%s …'", line, prefix);
		return line;
	}

	private static Map<String, String> fields(String line) {
		Map<String, String> fields = new HashMap<>();
		for (String part : line.split(" ")) {
			int eq = part.indexOf('=');
			if (eq > 0) {
				fields.put(part.substring(0, eq), part.substring(eq + 1));
			}
		}
		return fields;
	}

	// ---------------------------------------------------------------- client

	enum ClientVariant {

		HANDLER("plain Spring `BinaryWebSocketHandler` counting messages"),
		BUFFERED("wsdrain `BufferedWebSocketClient`, consumer thread calling `receive()`");

		final String label;

		ClientVariant(String label) {
			this.label = label;
		}

	}

	/**
	 * Receiving side: the server's draining session on {@code /drained} sends N 1 KB binary
	 * messages from one thread as fast as it can, then {@code closeAsync(NORMAL)}; the client
	 * is either a plain Spring handler or the buffering client, both on Spring's
	 * {@code StandardWebSocketClient}. The two cells run back to back in ABBA order.
	 */
	private void client() throws Exception {
		int count = this.quick ? 8_000 : 32_000;
		StandardWebSocketClient standard = new StandardWebSocketClient();
		BufferedWebSocketClient buffered = new BufferedWebSocketClient(standard);
		List<ClientVariant> pair = List.of(ClientVariant.HANDLER, ClientVariant.BUFFERED);
		int rounds = this.runs * THROUGHPUT_RUNS_FACTOR;
		log("Client, 1 KB messages, %,d per run; buffering client: %d messages / %s buffered, %s", count,
				buffered.getMaxBufferedMessages(), bytes(buffered.getMaxBufferedBytes().toBytes()), buffered.getOverflowPolicy());
		for (int w = 0; w < this.warmups; w++) {
			for (ClientVariant variant : pair) {
				clientRun(standard, buffered, variant, count);
			}
		}
		Map<ClientVariant, double[]> rates = new LinkedHashMap<>();
		Map<ClientVariant, double[]> cpu = new LinkedHashMap<>();
		pair.forEach((variant) -> rates.put(variant, new double[rounds]));
		pair.forEach((variant) -> cpu.put(variant, new double[rounds]));
		for (int r = 0; r < rounds; r++) {
			for (int k = 0; k < 2; k++) {
				ClientVariant variant = pair.get((r % 2 == 0) ? k : 1 - k);
				Timing timing = clientRun(standard, buffered, variant, count);
				rates.get(variant)[r] = count / (timing.wallNanos() / 1e9);
				cpu.get(variant)[r] = timing.cpuNanos() / 1e3 / count;
			}
			log("  round %d/%d: handler %,.0f/s; buffering client %,.0f/s", r + 1, rounds,
					rates.get(ClientVariant.HANDLER)[r], rates.get(ClientVariant.BUFFERED)[r]);
		}
		this.report.client(count, buffered, rates, cpu);
	}

	private Timing clientRun(StandardWebSocketClient standard, BufferedWebSocketClient buffered, ClientVariant variant,
			int count) throws Exception {
		System.gc();
		URI uri = uri("/drained");
		ClientReceive.Receiver receiver = (variant == ClientVariant.BUFFERED) ? ClientReceive.buffered(buffered, uri, count)
				: ClientReceive.handler(standard, uri, count);
		DrainingWebSocketSession session = requireDraining(this.server.drained().next());
		ByteBuffer payload = ByteBuffer.wrap(filler(KB));
		CountDownLatch start = new CountDownLatch(1);
		Future<CloseResult> send = this.senders.submit(() -> {
			start.await();
			for (int i = 0; i < count; i++) {
				session.sendMessage(new BinaryMessage(payload.duplicate()));
			}
			return session.closeAsync(CloseStatus.NORMAL).get(WAIT_SECONDS, TimeUnit.SECONDS);
		});
		long cpuBefore = processCpuNanos();
		long started = System.nanoTime();
		start.countDown();
		ClientReceive.Result result = await(receiver.result(), "the " + variant + " client to see the close after "
				+ count + " messages");
		long cpuNanos = processCpuNanos() - cpuBefore;
		CloseResult closed = send.get(WAIT_SECONDS, TimeUnit.SECONDS);
		check(result.messages() == count && result.bytes() == (long) count * KB,
				"client run, %s: received %d messages / %d bytes, expected %d / %d", variant, result.messages(),
				result.bytes(), count, (long) count * KB);
		check(result.closeCode() == CloseStatus.NORMAL.getCode(), "client run, %s: close code %d, expected 1000",
				variant, result.closeCode());
		check(closed.dropped() == 0 && !closed.drainTimedOut(), "client run, %s: %s", variant, closed);
		return new Timing(result.lastMessageNanos() - started, cpuNanos);
	}

	// ---------------------------------------------------------------- protocol

	enum ProtocolVariant {

		PLAIN("`BufferedWebSocketClient.connect`, no sub-protocol: a `DrainingWebSocketSession` on the server"),
		ACKNOWLEDGED("`BufferedWebSocketClient` with `setReliable(true)` (`connectReliable`): `wsdrain.v1`, "
				+ "numbered data frames and acknowledgements, a `ResumableSession` on the server");

		final String label;

		ProtocolVariant(String label) {
			this.label = label;
		}

	}

	/**
	 * Cost of {@code wsdrain.v1}: the server on {@code /drained} sends N 1 KB binary
	 * messages from one thread, then {@code closeAsync(NORMAL)}, to the buffering client
	 * without the protocol and with it; same consumer thread calling {@code receive()}.
	 * ABBA pairs for messages/s; then one run of each through a {@link CountingProxy} for
	 * the bytes on the wire both ways.
	 */
	private void protocol() throws Exception {
		int count = this.quick ? 5_000 : 20_000;
		StandardWebSocketClient standard = new StandardWebSocketClient();
		BufferedWebSocketClient plain = new BufferedWebSocketClient(standard);
		BufferedWebSocketClient acknowledged = new BufferedWebSocketClient(standard);
		acknowledged.setReliable(true);
		Map<ProtocolVariant, BufferedWebSocketClient> clients = Map.of(ProtocolVariant.PLAIN, plain,
				ProtocolVariant.ACKNOWLEDGED, acknowledged);
		List<ProtocolVariant> pair = List.of(ProtocolVariant.PLAIN, ProtocolVariant.ACKNOWLEDGED);
		int rounds = this.runs * THROUGHPUT_RUNS_FACTOR;
		log("Protocol, 1 KB messages, %,d per run, without and with wsdrain.v1", count);
		for (int w = 0; w < this.warmups; w++) {
			for (ProtocolVariant variant : pair) {
				protocolRun(clients.get(variant), variant, count, uri("/drained"));
			}
		}
		Map<ProtocolVariant, double[]> rates = new LinkedHashMap<>();
		Map<ProtocolVariant, double[]> cpu = new LinkedHashMap<>();
		pair.forEach((variant) -> rates.put(variant, new double[rounds]));
		pair.forEach((variant) -> cpu.put(variant, new double[rounds]));
		for (int r = 0; r < rounds; r++) {
			for (int k = 0; k < 2; k++) {
				ProtocolVariant variant = pair.get((r % 2 == 0) ? k : 1 - k);
				Timing timing = protocolRun(clients.get(variant), variant, count, uri("/drained"));
				rates.get(variant)[r] = count / (timing.wallNanos() / 1e9);
				cpu.get(variant)[r] = timing.cpuNanos() / 1e3 / count;
			}
			log("  round %d/%d: without %,.0f/s; wsdrain.v1 %,.0f/s", r + 1, rounds,
					rates.get(ProtocolVariant.PLAIN)[r], rates.get(ProtocolVariant.ACKNOWLEDGED)[r]);
		}
		Map<ProtocolVariant, CountingProxy.Bytes> wire = new LinkedHashMap<>();
		for (ProtocolVariant variant : pair) {
			try (CountingProxy proxy = new CountingProxy(this.port)) {
				protocolRun(clients.get(variant), variant, count,
						URI.create("ws://127.0.0.1:" + proxy.port() + "/drained"));
				wire.put(variant, proxy.bytes(WAIT_SECONDS));
			}
			log("  wire, %s: %,d bytes to the client, %,d to the server", variant, wire.get(variant).toClient(),
					wire.get(variant).toServer());
		}
		this.report.protocol(count, rates, cpu, wire);
	}

	private Timing protocolRun(BufferedWebSocketClient client, ProtocolVariant variant, int count, URI uri)
			throws Exception {
		System.gc();
		ClientReceive.Receiver receiver = ClientReceive.buffered(client, uri, count);
		WebSocketSession session = this.server.drained().next();
		boolean resumable = session instanceof ResumableSession;
		check(resumable == (variant == ProtocolVariant.ACKNOWLEDGED), "protocol run, %s: server session %s", variant,
				session);
		ByteBuffer payload = ByteBuffer.wrap(filler(KB));
		CountDownLatch start = new CountDownLatch(1);
		Future<CloseResult> send = this.senders.submit(() -> {
			start.await();
			for (int i = 0; i < count; i++) {
				session.sendMessage(new BinaryMessage(payload.duplicate()));
			}
			CompletableFuture<CloseResult> closing = resumable
					? ((ResumableSession) session).closeAsync(CloseStatus.NORMAL)
					: requireDraining(session).closeAsync(CloseStatus.NORMAL);
			return closing.get(WAIT_SECONDS, TimeUnit.SECONDS);
		});
		long cpuBefore = processCpuNanos();
		long started = System.nanoTime();
		start.countDown();
		ClientReceive.Result result = await(receiver.result(),
				"the " + variant + " client to see the close after " + count + " messages");
		long cpuNanos = processCpuNanos() - cpuBefore;
		CloseResult closed = send.get(WAIT_SECONDS, TimeUnit.SECONDS);
		check(result.messages() == count && result.bytes() == (long) count * KB,
				"protocol run, %s: received %d messages / %d bytes, expected %d / %d", variant, result.messages(),
				result.bytes(), count, (long) count * KB);
		check(result.closeCode() == CloseStatus.NORMAL.getCode(), "protocol run, %s: close code %d, expected 1000",
				variant, result.closeCode());
		check(closed.dropped() == 0 && !closed.drainTimedOut() && closed.unacknowledged() == 0,
				"protocol run, %s: %s", variant, closed);
		return new Timing(result.lastMessageNanos() - started, cpuNanos);
	}

	// ---------------------------------------------------------------- support

	private void closeAndAwait(WebSocketSession session, ReceivingClient client, CloseStatus status) throws Exception {
		if (session instanceof DrainingWebSocketSession draining) {
			await(draining.closeAsync(status), "the close of a draining session");
		}
		else {
			session.close(status);
		}
		ReceivingClient.Close close = await(client.closed(), "the close frame");
		check(close.code() == status.getCode(), "close code %d, expected %d", close.code(), status.getCode());
	}

	private static DrainingWebSocketSession requireDraining(WebSocketSession session) {
		if (session instanceof DrainingWebSocketSession draining) {
			return draining;
		}
		throw new IllegalStateException("Expected a draining session from the auto-configuration, got " + session);
	}

	private URI uri(String path) {
		return URI.create("ws://127.0.0.1:" + this.port + path);
	}

	private static byte[] filler(int size) {
		byte[] bytes = new byte[size];
		Arrays.fill(bytes, (byte) '.');
		return bytes;
	}

	private static <T> T await(CompletableFuture<T> future, String what) throws Exception {
		try {
			return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException("Timed out after " + WAIT_SECONDS + " s waiting for " + what, ex);
		}
	}

	private static void awaitAll(List<Future<?>> futures) throws Exception {
		for (Future<?> future : futures) {
			future.get(WAIT_SECONDS, TimeUnit.SECONDS);
		}
	}

	private static void check(boolean condition, String format, Object... args) {
		if (!condition) {
			throw new IllegalStateException(String.format(Locale.ROOT, format, args));
		}
	}

	static String bytes(long bytes) {
		return (bytes >= MB) ? (bytes / MB) + " MB" : (bytes / KB) + " KB";
	}

	private static void log(String format, Object... args) {
		System.out.printf(Locale.ROOT, "[%s] %s%n", Instant.now().toString().substring(11, 19),
				String.format(Locale.ROOT, format, args));
	}

}

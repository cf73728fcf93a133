package io.github.wsdrain.benchmarks;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.server.resume.ResumableSessions;
import io.github.wsdrain.session.DrainSettings;

import org.springframework.context.ConfigurableApplicationContext;

import static io.github.wsdrain.benchmarks.Bench.log;

/**
 * Measures wsdrain against stock Spring WebSocket and raw loopback transfer in one run,
 * on an embedded Tomcat, and writes {@code results.md} and {@code chart.png} under
 * {@code -Dbench.out}; a full run also rewrites the results part of the benchmarks page
 * ({@code -Dbench.docs}). Every cell repeats its runs after a warm-up and checks that
 * every message arrived; any failure ends the run with exit status 1 and no table.
 */
public final class WsDrainBenchmark {

	private static final List<String> ALL_SECTIONS = List.of("micro", "throughput", "latency", "metrics", "drain",
			"heap", "scale", "client", "protocol", "barrier", "redis");

	private final BenchContext bench;

	private final Path out;

	private final List<String> sections;

	private final Path docs;

	private WsDrainBenchmark(BenchContext bench, Path out, List<String> sections, Path docs) {
		this.bench = bench;
		this.out = out;
		this.sections = sections;
		this.docs = docs;
	}

	public static void main(String[] args) {
		int runs = Integer.getInteger("bench.runs", 5);
		boolean quick = Boolean.getBoolean("bench.quick");
		Path out = Path.of(System.getProperty("bench.out", "target/bench"));
		List<String> sections = List.of(System.getProperty("bench.sections", String.join(",", ALL_SECTIONS)).split(","));
		String docs = System.getProperty("bench.docs", "");
		int status = 1;
		try {
			if (runs < (quick ? 1 : 5)) {
				throw new IllegalArgumentException("bench.runs must be at least 5 (quick mode: 1), not " + runs);
			}
			if (!ALL_SECTIONS.containsAll(sections)) {
				throw new IllegalArgumentException("bench.sections must list some of " + ALL_SECTIONS + ", not " + sections);
			}
			ConfigurableApplicationContext context = BenchServer.start();
			ExecutorService senders = Executors.newFixedThreadPool(4);
			Metering metering = new Metering(context.getBean(DrainSettings.class),
					context.getBeanProvider(ResumableSessions.class));
			try {
				BenchContext bench = new BenchContext(runs, quick ? 1 : 3, quick, context,
						context.getBean(BenchServer.class), context.getBean(DrainingSessionRegistry.class), metering,
						BenchServer.port(context), HttpClient.newHttpClient(), senders, new Report());
				new WsDrainBenchmark(bench, out, sections, docs.isEmpty() ? null : Path.of(docs)).run();
			}
			finally {
				senders.shutdownNow();
				metering.close();
				context.close();
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
		Report report = this.bench.report();
		log("wsdrain benchmark: %d runs per cell after %d warm-up runs%s; Tomcat on 127.0.0.1:%d", this.bench.runs(),
				this.bench.warmups(), this.bench.quick() ? " (QUICK: reduced sizes, not for publication)" : "",
				this.bench.port());
		for (String section : ALL_SECTIONS) {
			if (this.sections.contains(section)) {
				report.machine().sampleLoad();
				section(section);
			}
		}
		report.machine().record(this.bench.runs(), this.bench.warmups(), this.bench.quick(),
				(System.nanoTime() - started) / 1_000_000_000L, this.sections, ALL_SECTIONS.size());
		Files.createDirectories(this.out);
		String markdown = report.markdown();
		Files.writeString(this.out.resolve("results.md"), markdown, StandardCharsets.UTF_8);
		new Chart(report).write(this.out.resolve("chart.png"));
		System.out.println();
		System.out.println(markdown);
		log("Wrote %s and %s", this.out.resolve("results.md").toAbsolutePath(),
				this.out.resolve("chart.png").toAbsolutePath());
		// Only a full run replaces the published results: a quick run or a subset is for development.
		String publish = System.getProperty("bench.publish", "auto");
		boolean full = !this.bench.quick() && this.sections.size() == ALL_SECTIONS.size();
		if (this.docs != null && (publish.equals("auto") ? full : Boolean.parseBoolean(publish))) {
			DocsPage.update(this.docs, markdown, this.out.resolve("chart.png"));
			log("Updated %s and its chart", this.docs.toAbsolutePath().normalize());
		}
	}

	private void section(String section) throws Exception {
		BenchContext bench = this.bench;
		switch (section) {
			case "micro" -> bench.report().micro().record(MicroCells.measure(bench.quick()));
			case "throughput" -> new ThroughputCells(bench).throughput();
			case "latency" -> bench.report().latency().record(new LatencyCell(bench.server(), bench::uri)
				.measure(bench.runs() * LatencyCell.RUNS_FACTOR, bench.warmups(), bench.quick() ? 500 : 2_000));
			case "metrics" -> new ThroughputCells(bench).metrics();
			case "drain" -> new DrainCells(bench).drain();
			case "heap" -> new ScaleCells(bench).heapPerSessionObjects();
			case "scale" -> new ScaleCells(bench).scale();
			case "client" -> new ReceiveCells(bench).client();
			case "protocol" -> new ReceiveCells(bench).protocol();
			case "barrier" -> {
				log("Close barrier: idle close and %s-session close, without and with the barrier", "1,000");
				try (CloseBarrierCell cell = new CloseBarrierCell(bench.server(), bench.withoutBarrier(), bench::uri)) {
					bench.report().closeBarrier().record(cell.measure(bench.runs(), bench.warmups()));
				}
			}
			case "redis" -> new RedisCells(bench).redis();
			default -> throw new IllegalArgumentException("Unknown section " + section);
		}
	}

}

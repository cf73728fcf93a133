package io.github.wsdrain.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.github.wsdrain.benchmarks.ReceiveCells.ClientVariant;
import io.github.wsdrain.benchmarks.ReceiveCells.ProtocolVariant;
import io.github.wsdrain.benchmarks.RedisCells.Store;
import io.github.wsdrain.benchmarks.ThroughputCells.Cell;
import io.github.wsdrain.benchmarks.ThroughputCells.Variant;
import io.github.wsdrain.client.BufferedWebSocketClient;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The results page rendered from fixed cells, against the page those cells gave when
 * this test was written: every heading, column and row of every section, numbers
 * included. Only the machine line (this JVM, this load) is left out.
 */
class ReportTests {

	@Test
	void everySectionRendersAsBefore() throws IOException {
		Report report = new Report();
		fillAll(report);
		assertRendersAs(report, "report-all-sections.md");
		assertMatches(bars(report), "report-all-sections-bars.txt");
	}

	@Test
	void sectionsNotRunSayNothingOrSoAsBefore() throws IOException {
		Report report = new Report();
		assertRendersAs(report, "report-no-section.md");
		assertThat(report.bars()).isEmpty();
	}

	@Test
	void skippedRedisSectionSaysWhyAsBefore() throws IOException {
		Report report = new Report();
		report.redis().skipped("Redis store cells skipped: no redis-server on the PATH (Debian package redis-server)");
		assertRendersAs(report, "report-redis-skipped.md");
	}

	private static void fillAll(Report report) {
		report.micro().record(List.of(new MicroCells.Cell("PLAIN", 1, 101.5, 99.0, 104.0, 10),
				new MicroCells.Cell("SPRING", 1, 180.25, 170.0, 190.0, 10),
				new MicroCells.Cell("WSDRAIN", 4, 140.0, 130.5, 150.5, 10)));
		report.latency().record(new LatencyCell.Result(2_000, new double[][] { { 40.1, 42.3, 41.0 }, { 43.2, 44.0, 42.9 } },
				new double[][] { { 80.0, 90.5, 85.0 }, { 88.0, 95.0, 91.2 } }));
		for (int size : Targets.SIZES) {
			double scale = 100_000.0 / (1 + size / 1024);
			for (Variant variant : List.of(Variant.RAW, Variant.PLAIN, Variant.SPRING, Variant.WSDRAIN)) {
				for (int threads : (variant == Variant.RAW) ? new int[] { 1 } : new int[] { 1, 4 }) {
					double factor = (variant.ordinal() + 1) * (threads + 1) * 0.1;
					report.throughput().record(size, new Cell(variant, threads), 50_000,
							runs(scale * factor, 1.03, 0.98, 1.05, 0.99, 1.01, 0.97),
							runs(3.0 / factor, 1.01, 0.99, 1.02, 1.0, 0.98, 1.03));
				}
			}
		}
		Map<Cell, double[]> metricsRates = new LinkedHashMap<>();
		metricsRates.put(new Cell(Variant.UNMETERED, 1), runs(90_000, 1.0, 1.02, 0.98));
		metricsRates.put(new Cell(Variant.METERED, 1), runs(88_500, 1.01, 0.99, 0.97));
		Map<Cell, double[]> metricsCpu = new LinkedHashMap<>();
		metricsCpu.put(new Cell(Variant.UNMETERED, 1), runs(11.0, 1.0, 1.02, 0.98));
		metricsCpu.put(new Cell(Variant.METERED, 1), runs(11.4, 1.01, 0.99, 0.97));
		report.metrics().record(50_000, metricsRates, metricsCpu, 1_234, 42, 5_678.9);
		report.drain().idleClose(runs(0.5, 1.0, 1.1, 0.9), runs(0.7, 1.0, 1.2, 0.95));
		report.drain().record(1024 * 1024, 64 * 1024, true, drainRuns(3.0, 3.3, 512 * 1024, 2.4, 2.5));
		report.drain().record(1024 * 1024, 64 * 1024, false, drainRuns(3.0, 3.2, 512 * 1024, 2.4, 0));
		report.drain().record(64 * 1024 * 1024, 64 * 1024, true, drainRuns(120, 125, 30 * 1024 * 1024, 121, 122));
		report.scale().record(1_000, runs(50, 1.0, 1.1, 0.9), runs(40, 1.0, 1.1, 0.9), runs(1_000_000, 1.0, 1.01, 0.99),
				runs(40, 1.0, 1.0, 1.0), runs(9_000, 1.0, 1.01, 0.99), runs(8_500, 1.0, 1.01, 0.99));
		report.scale().record(10_000, runs(500, 1.0, 1.1, 0.9), runs(400, 1.0, 1.1, 0.9), runs(9_000_000, 1.0, 1.01, 0.99),
				runs(40, 1.0, 1.0, 1.0), runs(9_000, 1.0, 1.01, 0.99), null);
		report.heap().record(10_000, runs(610, 1.0, 1.01, 0.99, 1.0, 1.02));
		Map<ClientVariant, double[]> clientRates = new LinkedHashMap<>();
		clientRates.put(ClientVariant.HANDLER, runs(120_000, 1.0, 1.02, 0.98));
		clientRates.put(ClientVariant.BUFFERED, runs(118_000, 1.01, 0.99, 0.97));
		Map<ClientVariant, double[]> clientCpu = new LinkedHashMap<>();
		clientCpu.put(ClientVariant.HANDLER, runs(8.0, 1.0, 1.02, 0.98));
		clientCpu.put(ClientVariant.BUFFERED, runs(8.4, 1.01, 0.99, 0.97));
		report.client().record(40_000, new BufferedWebSocketClient(), clientRates, clientCpu);
		Map<ProtocolVariant, double[]> protocolRates = new LinkedHashMap<>();
		protocolRates.put(ProtocolVariant.PLAIN, runs(110_000, 1.0, 1.02, 0.98));
		protocolRates.put(ProtocolVariant.ACKNOWLEDGED, runs(105_000, 1.01, 0.99, 0.97));
		Map<ProtocolVariant, double[]> protocolCpu = new LinkedHashMap<>();
		protocolCpu.put(ProtocolVariant.PLAIN, runs(9.0, 1.0, 1.02, 0.98));
		protocolCpu.put(ProtocolVariant.ACKNOWLEDGED, runs(9.9, 1.01, 0.99, 0.97));
		Map<ProtocolVariant, LoopbackProxy.Bytes> wire = new LinkedHashMap<>();
		wire.put(ProtocolVariant.PLAIN, new LoopbackProxy.Bytes(1_000, 41_000_000));
		wire.put(ProtocolVariant.ACKNOWLEDGED, new LoopbackProxy.Bytes(90_000, 41_200_000));
		report.protocol().record(40_000, protocolRates, protocolCpu, wire);
		Map<ProtocolVariant, double[]> delayed = new LinkedHashMap<>();
		delayed.put(ProtocolVariant.PLAIN, runs(30_000, 1.0, 1.02, 0.98));
		delayed.put(ProtocolVariant.ACKNOWLEDGED, runs(28_000, 1.01, 0.99, 0.97));
		report.protocol().delayed(20_000, Duration.ofMillis(10), delayed);
		report.closeBarrier().record(new CloseBarrierCell.Result(1_000,
				new double[][] { runs(0.4, 1.0, 1.1, 0.9), runs(0.6, 1.0, 1.1, 0.9) },
				new double[][] { runs(70, 1.0, 1.1, 0.9), runs(90, 1.0, 1.1, 0.9) },
				new double[][] { runs(60, 1.0, 1.1, 0.9), runs(80, 1.0, 1.1, 0.9) }));
		Map<Store, double[]> redisRates = new LinkedHashMap<>();
		redisRates.put(Store.MEMORY, runs(100_000, 1.0, 1.02, 0.98));
		redisRates.put(Store.REDIS, runs(70_000, 1.01, 0.99, 0.97));
		Map<Store, double[]> redisCpu = new LinkedHashMap<>();
		redisCpu.put(Store.MEMORY, runs(10.0, 1.0, 1.02, 0.98));
		redisCpu.put(Store.REDIS, runs(14.0, 1.01, 0.99, 0.97));
		report.redis().stores(40_000, redisRates, redisCpu);
		Map<MoveCell.Variant, double[]> moveRates = new LinkedHashMap<>();
		moveRates.put(MoveCell.Variant.STAY, runs(40_000, 1.0, 1.02, 0.98));
		moveRates.put(MoveCell.Variant.MOVE, runs(30_000, 1.01, 0.99, 0.97));
		Map<MoveCell.Variant, double[]> longestGaps = new LinkedHashMap<>();
		longestGaps.put(MoveCell.Variant.STAY, runs(12, 1.0, 1.5, 0.8));
		longestGaps.put(MoveCell.Variant.MOVE, runs(180, 1.0, 1.1, 0.9));
		report.redis().move(new MoveCell.Result(50_000, moveRates, longestGaps));
		report.redis().memory(10_000, runs(1.4, 1.0, 1.02, 0.98), runs(1.2, 1.0, 1.01, 0.99));
	}

	/** Three drain runs: the transfer times 1.0, 1.1 and 0.9, the steps of the close times 1.0, 1.05 and 0.95. */
	private static List<DrainCells.DrainRun> drainRuns(double transferMillis, double drainMillis, long queuedAtClose,
			double lastMessageMillis, double pingMillis) {
		double[] transferFactors = { 1.0, 1.1, 0.9 };
		double[] closeFactors = { 1.0, 1.05, 0.95 };
		return IntStream.range(0, 3)
			.mapToObj((i) -> new DrainCells.DrainRun(nanos(transferMillis * transferFactors[i]),
					nanos(drainMillis * closeFactors[i]), queuedAtClose, nanos(lastMessageMillis * closeFactors[i]),
					nanos(pingMillis * closeFactors[i])))
			.toList();
	}

	private static long nanos(double millis) {
		return Math.round(millis * 1e6);
	}

	/** Runs of a cell: the base times each factor. */
	private static double[] runs(double base, double... factors) {
		double[] runs = new double[factors.length];
		for (int i = 0; i < factors.length; i++) {
			runs[i] = base * factors[i];
		}
		return runs;
	}

	private static String bars(Report report) {
		return report.bars()
			.stream()
			.map((bar) -> String.join(" | ", bar.size(), bar.against(), bar.threads(), bar.samples().format("%.4f"),
					String.valueOf(bar.target())))
			.collect(Collectors.joining("\n", "", "\n"));
	}

	private static void assertRendersAs(Report report, String expected) throws IOException {
		report.machine().record(5, 3, false, 600, List.of("all"), 1);
		String markdown = report.markdown();
		assertThat(markdown).startsWith("Measured on ");
		assertMatches(markdown.substring(markdown.indexOf('\n') + 1), expected);
	}

	private static void assertMatches(String rendered, String expected) throws IOException {
		Path actual = Path.of("target", "report-actual", expected);
		Files.createDirectories(actual.getParent());
		Files.writeString(actual, rendered, StandardCharsets.UTF_8);
		assertThat(rendered).as("rendered (written to %s)", actual.toAbsolutePath()).isEqualTo(expected(expected));
	}

	private static String expected(String name) throws IOException {
		try (InputStream in = ReportTests.class.getResourceAsStream(name)) {
			return (in != null) ? new String(in.readAllBytes(), StandardCharsets.UTF_8) : "(no " + name + ")";
		}
	}

}

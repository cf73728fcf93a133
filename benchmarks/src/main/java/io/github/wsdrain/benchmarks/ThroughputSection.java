package io.github.wsdrain.benchmarks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.wsdrain.benchmarks.ThroughputCells.Cell;
import io.github.wsdrain.benchmarks.ThroughputCells.Variant;

/**
 * Throughput by message size, variant and sending threads, and wsdrain's ratios over the
 * other variants.
 */
final class ThroughputSection implements Section {

	private final Map<Integer, Map<Cell, double[]>> rates = new LinkedHashMap<>();

	private final Map<Integer, Map<Cell, double[]>> cpu = new LinkedHashMap<>();

	private final Map<Integer, Integer> counts = new LinkedHashMap<>();

	void record(int size, Cell cell, int count, double[] rates, double[] cpuMicrosPerMessage) {
		this.rates.computeIfAbsent(size, (key) -> new LinkedHashMap<>()).put(cell, rates);
		this.cpu.computeIfAbsent(size, (key) -> new LinkedHashMap<>()).put(cell, cpuMicrosPerMessage);
		this.counts.put(size, count);
	}

	@Override
	public void render(Markdown md) {
		if (this.rates.isEmpty()) {
			return;
		}
		md.text("\n### Throughput (messages/s, first send to the client's receipt of the last message)\n\n")
			.text("Process CPU time per message: everything the JVM spent in the run (server, client, GC) over "
					+ "the messages; it depends far less than wall time on what else the machine runs.\n\n")
			.text("| message | variant | sending threads | messages per run | messages/s | MB/s (median) | "
					+ "process CPU µs per message |\n")
			.text("|---|---|---:|---:|---|---:|---|\n");
		this.rates.forEach((size, cells) -> cells.forEach((cell, rates) -> {
			Samples samples = new Samples(rates);
			md.line("| %s | %s | %d | %,d | %s | %,.0f | %s |", Bench.bytes(size), cell.variant().label,
					cell.threads(), this.counts.get(size), samples.format("%,.0f"),
					Markdown.megabytesPerSecond(samples, size),
					new Samples(this.cpu.get(size).get(cell)).format("%.1f"));
		}));

		md.text("\n### Throughput ratios\n\n")
			.text("Geometric mean of the per-round ratios [95 % interval]; wsdrain over the other cell.\n\n")
			.text("| ratio | 64 B | 1 KB | 64 KB |\n|---|---|---|---|\n");
		Cell drained1 = new Cell(Variant.WSDRAIN, 1);
		Cell drained4 = new Cell(Variant.WSDRAIN, 4);
		Cell plain1 = new Cell(Variant.PLAIN, 1);
		Cell spring4 = new Cell(Variant.SPRING, 4);
		sizeRow(md, "wsdrain / plain session, 1 thread (targets ≥ 1.5, 1.0, 1.0)", ratios(this.rates, drained1, plain1));
		sizeRow(md, "wsdrain / Spring decorator, 4 threads (targets ≥ 2.0, 1.1, 1.0)",
				ratios(this.rates, drained4, spring4));
		sizeRow(md, "wsdrain / Spring decorator, 1 thread", ratios(this.rates, drained1, new Cell(Variant.SPRING, 1)));
		sizeRow(md, "wsdrain / plain session behind a lock, 4 threads",
				ratios(this.rates, drained4, new Cell(Variant.PLAIN, 4)));
		sizeRow(md, "wsdrain / raw loopback TCP, 1 thread (share of the physical limit)",
				ratios(this.rates, drained1, new Cell(Variant.RAW, 1)));
		sizeRow(md, "process CPU per message, wsdrain / plain session, 1 thread (lower is better)",
				ratios(this.cpu, drained1, plain1));
		sizeRow(md, "process CPU per message, wsdrain / Spring decorator, 4 threads (lower is better)",
				ratios(this.cpu, drained4, spring4));
	}

	@Override
	public void targets(Markdown md) {
		for (int size : Targets.SIZES) {
			Samples spring = springRatios().get(size);
			Samples plain = plainRatios().get(size);
			if (spring != null) {
				md.targetRow(Bench.bytes(size) + ", 4 threads: wsdrain / Spring's decorator", spring,
						Targets.targetSpring(size));
			}
			if (plain != null) {
				md.targetRow(Bench.bytes(size) + ", 1 thread: wsdrain / plain session", plain, Targets.targetPlain(size));
			}
		}
	}

	@Override
	public void bars(List<Bar> bars) {
		for (int size : Targets.SIZES) {
			if (plainRatios().containsKey(size)) {
				bars.add(new Bar(Bench.bytes(size), "vs plain", "1 thread", plainRatios().get(size),
						Targets.targetPlain(size)));
			}
			if (springRatios().containsKey(size)) {
				bars.add(new Bar(Bench.bytes(size), "vs decorator", "4 threads", springRatios().get(size),
						Targets.targetSpring(size)));
			}
		}
	}

	/** wsdrain on one thread over the plain session, by size. */
	private Map<Integer, Samples> plainRatios() {
		return ratios(this.rates, new Cell(Variant.WSDRAIN, 1), new Cell(Variant.PLAIN, 1));
	}

	/** wsdrain on four threads over Spring's decorator, by size. */
	private Map<Integer, Samples> springRatios() {
		return ratios(this.rates, new Cell(Variant.WSDRAIN, 4), new Cell(Variant.SPRING, 4));
	}

	/** One cell over another, run by run, at every size that measured both. */
	private static Map<Integer, Samples> ratios(Map<Integer, Map<Cell, double[]>> bySize, Cell numerator,
			Cell denominator) {
		Map<Integer, Samples> ratios = new LinkedHashMap<>();
		bySize.forEach((size, cells) -> {
			if (cells.containsKey(numerator) && cells.containsKey(denominator)) {
				ratios.put(size, Samples.ratios(cells.get(numerator), cells.get(denominator)));
			}
		});
		return ratios;
	}

	/** A row of ratios by size; no row when no size measured both cells. */
	private static void sizeRow(Markdown md, String label, Map<Integer, Samples> ratios) {
		if (ratios.isEmpty()) {
			return;
		}
		md.text("| ").text(label);
		for (int size : Targets.SIZES) {
			md.text(" | ").text(ratios.containsKey(size) ? ratios.get(size).format("%.2f") : "–");
		}
		md.text(" |\n");
	}

}

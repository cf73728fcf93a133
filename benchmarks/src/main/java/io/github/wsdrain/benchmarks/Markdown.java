package io.github.wsdrain.benchmarks;

import java.util.Locale;

/**
 * The results page as it is written: text, table rows formatted in the root locale, and
 * the ratio table every section ends with.
 */
final class Markdown {

	private final StringBuilder text = new StringBuilder();

	/** Text as it is. */
	Markdown text(String text) {
		this.text.append(text);
		return this;
	}

	/** Formatted text, no line end added. */
	Markdown format(String format, Object... args) {
		this.text.append(String.format(Locale.ROOT, format, args));
		return this;
	}

	/** One formatted line, such as a table row. */
	Markdown line(String format, Object... args) {
		return format(format, args).text("\n");
	}

	/** The head of a table of message rates and CPU, {@link #rateRow one row} per variant. */
	Markdown rateTable(String what) {
		return line("| %s | messages per run | messages/s | MB/s (median) | process CPU µs per message |", what)
			.text("|---|---:|---|---:|---|\n");
	}

	/** A variant's messages/s (with MB/s of 1 KB messages) and process CPU µs per message over its runs. */
	Markdown rateRow(String label, int count, double[] rates, double[] cpuMicros) {
		Samples samples = new Samples(rates);
		return line("| %s | %,d | %s | %,.0f | %s |", label, count, samples.format("%,.0f"),
				megabytesPerSecond(samples, Bench.KB), new Samples(cpuMicros).format("%.1f"));
	}

	/** The head of a table of ratios against their targets. */
	Markdown ratioTable() {
		return text("\n| ratio | result | target | met |\n|---|---|---|---|\n");
	}

	/**
	 * A row of a ratio table: the ratio in {@code pattern}, its target in
	 * {@code targetPattern}, met or not.
	 */
	Markdown ratioRow(String label, Samples ratio, String pattern, double target, String targetPattern,
			boolean atLeast) {
		return line("| %s | %s | %s | %s |", label, ratio.format(pattern), bound(target, targetPattern, atLeast),
				Targets.verdict(ratio, target, atLeast));
	}

	/** A row of the targets table for a ratio with a lower bound. */
	Markdown targetRow(String cell, Samples ratio, double target) {
		return targetRow(cell, ratio, "%.2f", target, "%.2f", true);
	}

	/** A row of the targets table for a ratio. */
	Markdown targetRow(String cell, Samples ratio, String pattern, double target, String targetPattern,
			boolean atLeast) {
		return line("| %s | %s | %s | %s |", cell, bound(target, targetPattern, atLeast), ratio.format(pattern),
				Targets.verdict(ratio, target, atLeast));
	}

	/** A row of the targets table for an absolute cell with an upper bound: its mean and interval. */
	Markdown targetMeanRow(String cell, Samples samples, String pattern, double target) {
		return line("| %s | %s | %s | %s |", cell, bound(target, pattern, false), samples.formatMean(pattern),
				Targets.verdict(samples.mean(), samples.meanLow(), samples.meanHigh(), target, false));
	}

	/** A target as the page writes it, e.g. {@code ≥ 0.95}. */
	static String bound(double target, String pattern, boolean atLeast) {
		return (atLeast ? "≥ " : "≤ ") + String.format(Locale.ROOT, pattern, target);
	}

	/** MB/s of a cell's median messages/s at a message size. */
	static double megabytesPerSecond(Samples messagesPerSecond, int size) {
		return messagesPerSecond.median() * size / (1024 * 1024);
	}

	@Override
	public String toString() {
		return this.text.toString();
	}

}

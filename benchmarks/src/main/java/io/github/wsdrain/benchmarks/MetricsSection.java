package io.github.wsdrain.benchmarks;

import java.util.Map;

import io.github.wsdrain.benchmarks.ThroughputCells.Cell;
import io.github.wsdrain.benchmarks.ThroughputCells.Variant;

/**
 * What metrics cost: the same throughput cell with and without a meter registry, and
 * what a scrape costs.
 */
final class MetricsSection implements Section {

	private int count;

	private Map<Cell, double[]> rates;

	private Map<Cell, double[]> cpu;

	private long scrapes;

	private int meterCount;

	private double scrapeCpuNanos;

	void record(int count, Map<Cell, double[]> rates, Map<Cell, double[]> cpu, long scrapes, int meterCount,
			double scrapeCpuNanos) {
		this.count = count;
		this.rates = rates;
		this.cpu = cpu;
		this.scrapes = scrapes;
		this.meterCount = meterCount;
		this.scrapeCpuNanos = scrapeCpuNanos;
	}

	@Override
	public void render(Markdown md) {
		if (this.rates == null) {
			return;
		}
		md.text("\n### Cost of metrics\n\n")
			.format("1 KB binary messages on one thread, %,d per run, measured like the throughput cells (first "
					+ "send to the client's receipt of the last message, ABBA pairs, a GC before each run). Both "
					+ "cells: a `DrainingWebSocketSession` from a `DrainingSessionRegistry` with the server's "
					+ "settings but the close barrier off (no wsdrain handler sees that path's Pongs), around the "
					+ "container's session on `/plain`. With metrics, the registry's listener is "
					+ "`WsDrainServerMetrics` bound to a `SimpleMeterRegistry`, and a thread reads every meter "
					+ "every %d ms during the run (Prometheus's default is 15 s); the section checks that the meter "
					+ "registry recorded every message sent and every close. Sends are counted with `LongAdder`s "
					+ "whether or not metrics are on: what metrics add is the listener on closes and drops, and "
					+ "the scrapes.\n\n", this.count, Metering.SCRAPE_INTERVAL.toMillis())
			.rateTable("variant");
		this.rates.forEach((cell, rates) -> md.rateRow(cell.variant().label, this.count, rates, this.cpu.get(cell)));
		md.ratioTable()
			.ratioRow("messages/s, with metrics / without, 1 KB, 1 thread", ratio(this.rates), "%.3f",
					Targets.METRICS, "%.2f", true)
			.line("| process CPU per message, with metrics / without (lower is better) | %s | – | – |",
					ratio(this.cpu).format("%.3f"))
			.line("%nScrapes during the measured runs with metrics: %,d. A scrape reads %d meters in %.1f µs of CPU "
					+ "(mean thread CPU time of 100,000 scrapes timed after the runs): at one every %d ms, %.3f%% "
					+ "of one core; at Prometheus's 15 s, %.5f%%.", this.scrapes, this.meterCount,
					this.scrapeCpuNanos / 1e3, Metering.SCRAPE_INTERVAL.toMillis(),
					100 * this.scrapeCpuNanos / Metering.SCRAPE_INTERVAL.toNanos(), 100 * this.scrapeCpuNanos / 15e9);
	}

	/** The metered cell over the unmetered one, run by run. */
	private static Samples ratio(Map<Cell, double[]> cells) {
		return Samples.ratios(cells.get(new Cell(Variant.METERED, 1)), cells.get(new Cell(Variant.UNMETERED, 1)));
	}

}

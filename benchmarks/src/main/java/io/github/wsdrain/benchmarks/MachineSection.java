package io.github.wsdrain.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The page's first line: the machine, its load over the run, and how the run was made.
 */
final class MachineSection implements Section {

	private final double loadAtStart = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

	private final List<Double> loads = new ArrayList<>();

	private String description;

	/** Record the machine's load average now: the page gives its range over the run. */
	void sampleLoad() {
		this.loads.add(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
	}

	void record(int runs, int warmups, boolean quick, long seconds, List<String> sections, int allSections) {
		sampleLoad();
		var os = ManagementFactory.getOperatingSystemMXBean();
		double[] loads = this.loads.stream().mapToDouble(Double::doubleValue).toArray();
		this.description = String.format(Locale.ROOT,
				"%d CPUs (`nproc`), %s %s (%s), %s %s; system load average (1 min) %.1f at start, %.1f at end, "
						+ "%.1f–%.1f over the sections; %d measured runs per cell after %d warm-up run(s) "
						+ "(throughput, client, protocol, Redis store and move cells: %d rounds; latency: %d; "
						+ "`closeAsync` after 1 MB: %d); "
						+ "whole run %d s%s.",
				Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
				System.getProperty("java.runtime.version"), System.getProperty("java.vm.vendor"), os.getName(),
				os.getVersion(), this.loadAtStart, loads[loads.length - 1], Arrays.stream(loads).min().orElse(0),
				Arrays.stream(loads).max().orElse(0), runs, warmups, Bench.THROUGHPUT_RUNS_FACTOR * runs,
				LatencyCell.RUNS_FACTOR * runs, DrainCells.ONE_MB_RUNS_FACTOR * runs, seconds,
				quick ? "; **QUICK MODE: reduced sizes, not for publication**" : "")
				+ ((sections.size() < allSections) ? " Sections run: " + String.join(", ", sections) + "." : "");
	}

	@Override
	public void render(Markdown md) {
		md.text("Measured on ").text(this.description).text("\n\n");
	}

}

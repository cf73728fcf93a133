package io.github.wsdrain.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link DecoratorCost} on JMH on 1 thread for every variant and on 4 threads for
 * the two decorators that allow it. Single-shot batches, not a timed loop: with several
 * senders both decorators queue what the writing thread has not taken yet, so a loop
 * that runs for a fixed time measures how fast a queue grows (until the collector takes
 * over), while a fixed batch per thread ends with everything written.
 */
final class MicroCells {

	/**
	 * One JMH cell: nanoseconds per message (a batch's wall time over the messages all
	 * threads sent in it) with JMH's 95 % interval over the measured batches.
	 */
	record Cell(String variant, int threads, double nanos, double low, double high, int iterations) {

	}

	private MicroCells() {
	}

	static List<Cell> measure(boolean quick) throws Exception {
		List<Cell> cells = new ArrayList<>();
		cells.addAll(run(1, quick, "PLAIN", "SPRING", "WSDRAIN"));
		cells.addAll(run(4, quick, "SPRING", "WSDRAIN"));
		return cells;
	}

	private static List<Cell> run(int threads, boolean quick, String... variants) throws Exception {
		Bench.log("Micro cells on JMH, %d thread(s): %s", threads, String.join(", ", variants));
		// About 0.05-0.5 s a batch: long against the timer, short enough for many batches.
		int batch = (quick ? 200_000 : 1_000_000) / threads;
		Options options = new OptionsBuilder().include(DecoratorCost.class.getName() + ".sendMessage")
			.param("variant", variants)
			.threads(threads)
			.mode(Mode.SingleShotTime)
			.timeUnit(TimeUnit.NANOSECONDS)
			.forks(1)
			.warmupIterations(quick ? 2 : 5)
			.warmupBatchSize(batch)
			.measurementIterations(quick ? 3 : 10)
			.measurementBatchSize(batch)
			.jvmArgs("-Xms1g", "-Xmx1g")
			.shouldFailOnError(true)
			.build();
		Collection<RunResult> results = new Runner(options).run();
		List<Cell> cells = new ArrayList<>();
		for (RunResult result : results) {
			var primary = result.getPrimaryResult();
			double[] interval = primary.getStatistics().getConfidenceIntervalAt(0.95);
			// Each thread's batch time, averaged: the threads ran at once, so a batch moved threads × batch messages.
			double messages = (double) batch * threads;
			cells.add(new Cell(result.getParams().getParam("variant"), result.getParams().getThreads(),
					primary.getScore() / messages, Math.max(interval[0], 0) / messages, interval[1] / messages,
					(int) primary.getStatistics().getN()));
		}
		return cells;
	}

}

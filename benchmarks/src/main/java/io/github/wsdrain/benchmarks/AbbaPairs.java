package io.github.wsdrain.benchmarks;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.wsdrain.benchmarks.Bench.Timing;

import static io.github.wsdrain.benchmarks.Bench.log;

/**
 * Two cells measured back to back in ABBA order over the rounds (A then B in even rounds,
 * B then A in odd ones) after unmeasured warm-up rounds: run {@code i} of each cell in
 * round {@code i}, so that a ratio is taken per round. Warm-up goes on past its minimum
 * while the JIT compiler is still busy: on a small machine its compiler threads take more
 * CPU than the cells for seconds, and what they take during a measured run is counted as
 * that cell's process CPU and slows it, the cell with more code to compile most.
 */
final class AbbaPairs {

	/**
	 * A warm-up round in which the JIT compiled for no more than this share of the round's
	 * time leaves the rest of the compiling out of the measured rounds.
	 */
	static final double SETTLED_COMPILATION_SHARE = 0.05;

	/**
	 * The longest warm-up, settled or not, once its minimum rounds have run: the JIT compiles for
	 * seconds of CPU whatever a round's length, and a cell of short rounds with much code
	 * (the Redis store's: Lettuce, Netty) was still compiling for half of each round after
	 * 15 of them.
	 */
	static final Duration MAX_WARMUP = Duration.ofSeconds(30);

	/** One run of a cell of {@code count} messages. */
	interface Run<V> {

		Timing run(V variant) throws Exception;

	}

	/**
	 * What the rounds measured, by cell.
	 * @param rates messages/s per round
	 * @param cpu process CPU µs per message per round
	 */
	record Measured<V>(Map<V, double[]> rates, Map<V, double[]> cpu) {

	}

	private AbbaPairs() {
	}

	/**
	 * Measure a pair.
	 * @param pair cells A and B
	 * @param warmups unmeasured rounds first
	 * @param rounds measured rounds
	 * @param count messages per run
	 * @param roundLog the log line of a round: its number, the rounds, A's and B's messages/s
	 * @param run one run of a cell
	 * @return messages/s and CPU per message of each cell, by round
	 */
	static <V> Measured<V> measure(List<V> pair, int warmups, int rounds, int count, String roundLog, Run<V> run)
			throws Exception {
		warmUp(pair, warmups, run);
		long compilingBefore = compilationMillis();
		Map<V, double[]> rates = new LinkedHashMap<>();
		Map<V, double[]> cpu = new LinkedHashMap<>();
		pair.forEach((variant) -> rates.put(variant, new double[rounds]));
		pair.forEach((variant) -> cpu.put(variant, new double[rounds]));
		for (int r = 0; r < rounds; r++) {
			for (int k = 0; k < 2; k++) {
				V variant = pair.get((r % 2 == 0) ? k : 1 - k);
				Timing timing = run.run(variant);
				rates.get(variant)[r] = count / (timing.wallNanos() / 1e9);
				cpu.get(variant)[r] = timing.cpuNanos() / 1e3 / count;
			}
			log(roundLog, r + 1, rounds, rates.get(pair.get(0))[r], rates.get(pair.get(1))[r]);
		}
		log("  JIT compiling during the measured rounds: %,d ms", compilationMillis() - compilingBefore);
		return new Measured<>(rates, cpu);
	}

	/** At least {@code warmups} rounds, then more until one finds the JIT settled. */
	private static <V> void warmUp(List<V> pair, int warmups, Run<V> run) throws Exception {
		if (warmups == 0) {
			return;
		}
		long deadline = System.nanoTime() + MAX_WARMUP.toNanos();
		for (int w = 1;; w++) {
			long compiling = compilationMillis();
			long started = System.nanoTime();
			for (V variant : pair) {
				run.run(variant);
			}
			double share = (compilationMillis() - compiling) / ((System.nanoTime() - started) / 1e6);
			if (w >= warmups && (share <= SETTLED_COMPILATION_SHARE || System.nanoTime() - deadline >= 0)) {
				log("  %d warm-up round(s), the JIT compiling for %.0f%% of the last", w, 100 * share);
				return;
			}
		}
	}

	/** Elapsed time the JIT compiler threads have spent compiling, 0 where the JVM does not tell. */
	private static long compilationMillis() {
		CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
		return (compiler != null && compiler.isCompilationTimeMonitoringSupported())
				? compiler.getTotalCompilationTime() : 0;
	}

}

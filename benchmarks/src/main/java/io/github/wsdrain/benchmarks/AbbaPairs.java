package io.github.wsdrain.benchmarks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.wsdrain.benchmarks.Bench.Timing;

import static io.github.wsdrain.benchmarks.Bench.log;

/**
 * Two cells measured back to back in ABBA order over the rounds (A then B in even rounds,
 * B then A in odd ones) after unmeasured warm-up rounds: run {@code i} of each cell in
 * round {@code i}, so that a ratio is taken per round.
 */
final class AbbaPairs {

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
		for (int w = 0; w < warmups; w++) {
			for (V variant : pair) {
				run.run(variant);
			}
		}
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
		return new Measured<>(rates, cpu);
	}

}

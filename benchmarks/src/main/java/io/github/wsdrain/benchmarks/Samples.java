package io.github.wsdrain.benchmarks;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

/**
 * The measured values of one cell: median and spread, never anything not measured.
 */
final class Samples {

	private final double[] values;

	Samples(double[] values) {
		if (values.length == 0) {
			throw new IllegalStateException("A cell with no measured run has nothing to report");
		}
		this.values = values.clone();
		Arrays.sort(this.values);
	}

	static Samples ofNanos(long[] nanos, DoubleUnaryOperator toUnit) {
		return new Samples(Arrays.stream(nanos).mapToDouble((n) -> toUnit.applyAsDouble(n)).toArray());
	}

	/** Pairwise quotients of two cells measured in the same rounds, run i with run i. */
	static Samples ratios(double[] numerators, double[] denominators) {
		if (numerators.length != denominators.length) {
			throw new IllegalStateException("Ratio of cells with different run counts");
		}
		double[] ratios = new double[numerators.length];
		for (int i = 0; i < ratios.length; i++) {
			ratios[i] = numerators[i] / denominators[i];
		}
		return new Samples(ratios);
	}

	double median() {
		int n = this.values.length;
		return (n % 2 == 1) ? this.values[n / 2] : (this.values[n / 2 - 1] + this.values[n / 2]) / 2;
	}

	double min() {
		return this.values[0];
	}

	double max() {
		return this.values[this.values.length - 1];
	}

	int runs() {
		return this.values.length;
	}

	String format(String pattern) {
		return String.format(Locale.ROOT, pattern + " (" + pattern + "–" + pattern + ")", median(), min(), max());
	}

}

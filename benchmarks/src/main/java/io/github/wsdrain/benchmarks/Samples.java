package io.github.wsdrain.benchmarks;

import java.util.Arrays;
import java.util.Locale;

/**
 * The measured values of one cell, never anything not measured: a cell of runs reports
 * its median and spread; a ratio of two cells measured in pairs reports the geometric
 * mean of the per-pair ratios with a 95 % confidence interval (a t-interval on their
 * logarithms: ratios are multiplicative, so their logarithms are what is averaged).
 */
final class Samples {

	/** Two-sided 97.5 % quantiles of Student's t for 1 to 30 degrees of freedom. */
	private static final double[] T_975 = { 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
			2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060,
			2.056, 2.052, 2.048, 2.045, 2.042 };

	private final double[] values;

	private final boolean ratio;

	private Samples(double[] values, boolean ratio) {
		if (values.length == 0) {
			throw new IllegalStateException("A cell with no measured run has nothing to report");
		}
		this.values = values.clone();
		Arrays.sort(this.values);
		this.ratio = ratio;
	}

	Samples(double[] values) {
		this(values, false);
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
		return new Samples(ratios, true);
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

	boolean isRatio() {
		return this.ratio;
	}

	/** The point estimate: geometric mean of a ratio, median of a cell. */
	double estimate() {
		return this.ratio ? Math.exp(meanOfLogs()) : median();
	}

	/** Lower end of the 95 % interval of a ratio; the smallest run of a cell. */
	double low() {
		return this.ratio ? Math.exp(meanOfLogs() - halfWidthOfLogs()) : min();
	}

	/** Upper end of the 95 % interval of a ratio; the largest run of a cell. */
	double high() {
		return this.ratio ? Math.exp(meanOfLogs() + halfWidthOfLogs()) : max();
	}

	double mean() {
		return Arrays.stream(this.values).average().orElseThrow();
	}

	/** Lower end of the mean's 95 % t-interval, for an absolute quantity compared with a target. */
	double meanLow() {
		return mean() - t975(this.values.length - 1) * standardError(this.values);
	}

	/** Upper end of the mean's 95 % t-interval. */
	double meanHigh() {
		return mean() + t975(this.values.length - 1) * standardError(this.values);
	}

	/** Mean [95 % interval]. */
	String formatMean(String pattern) {
		return String.format(Locale.ROOT, pattern + " [" + pattern + ", " + pattern + "]", mean(), meanLow(),
				meanHigh());
	}

	/**
	 * A ratio: geometric mean [95 % interval]; a cell: median (min–max).
	 */
	String format(String pattern) {
		if (this.ratio) {
			return String.format(Locale.ROOT, pattern + " [" + pattern + ", " + pattern + "]", estimate(), low(),
					high());
		}
		return String.format(Locale.ROOT, pattern + " (" + pattern + "–" + pattern + ")", median(), min(), max());
	}

	private double meanOfLogs() {
		return Arrays.stream(this.values).map(Math::log).average().orElseThrow();
	}

	private double halfWidthOfLogs() {
		if (this.values.length < 2) {
			return Double.POSITIVE_INFINITY;
		}
		return t975(this.values.length - 1) * standardError(Arrays.stream(this.values).map(Math::log).toArray());
	}

	private static double standardError(double[] values) {
		if (values.length < 2) {
			return Double.POSITIVE_INFINITY;
		}
		double mean = Arrays.stream(values).average().orElseThrow();
		double squares = Arrays.stream(values).map((v) -> (v - mean) * (v - mean)).sum();
		return Math.sqrt(squares / (values.length - 1)) / Math.sqrt(values.length);
	}

	/** Beyond 30 degrees of freedom, the Cornish–Fisher expansion is within 0.001 of the table. */
	private static double t975(int degreesOfFreedom) {
		if (degreesOfFreedom < 1) {
			return Double.POSITIVE_INFINITY;
		}
		if (degreesOfFreedom <= T_975.length) {
			return T_975[degreesOfFreedom - 1];
		}
		double z = 1.959964;
		return z + (z * z * z + z) / (4.0 * degreesOfFreedom);
	}

}

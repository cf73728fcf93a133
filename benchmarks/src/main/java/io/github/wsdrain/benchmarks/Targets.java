package io.github.wsdrain.benchmarks;

/**
 * The targets the measured cells are held to, and how a cell is judged against one.
 */
final class Targets {

	static final double LATENCY = 1.1;

	static final double DRAIN = 1.2;

	static final double HEAP_BYTES = 700;

	static final double CLOSE_ALL_MILLIS = 1000;

	static final double CLIENT = 0.95;

	static final double ACKNOWLEDGED = 0.95;

	static final double ACKNOWLEDGED_DELAYED = 0.9;

	static final double METRICS = 0.98;

	static final double REDIS_STORE = 0.6;

	static final double WIRE_OVERHEAD_PERCENT = 2.0;

	static final int[] SIZES = { 64, 1024, 64 * 1024 };

	/** Target of wsdrain over the plain session on one thread, by message size. */
	static double targetPlain(int size) {
		return (size == 64) ? 1.5 : 1.0;
	}

	/** Target of wsdrain over Spring's decorator on four threads, by message size. */
	static double targetSpring(int size) {
		return (size == 64) ? 2.0 : (size == 1024) ? 1.1 : 1.0;
	}

	/** Met or not by the point estimate; "within noise" when the interval reaches the other side. */
	static String verdict(Samples ratio, double target, boolean atLeast) {
		return verdict(ratio.estimate(), ratio.low(), ratio.high(), target, atLeast);
	}

	static String verdict(double estimate, double low, double high, double target, boolean atLeast) {
		boolean met = atLeast ? estimate >= target : estimate <= target;
		boolean sure = met ? (atLeast ? low >= target : high <= target) : (atLeast ? high < target : low > target);
		return (met ? "yes" : "**no**") + (sure ? "" : ", within noise");
	}

	private Targets() {
	}

}

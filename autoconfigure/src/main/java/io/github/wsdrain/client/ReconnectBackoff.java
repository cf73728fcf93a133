package io.github.wsdrain.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import org.springframework.util.Assert;

/**
 * Exponential back-off with jitter between reconnect attempts: attempt {@code n} waits
 * between half and all of {@code min(maxDelay, initialDelay × multiplier^(n-1))}, so
 * that clients cut off together do not come back together.
 *
 * @param initialDelay the delay before the first attempt
 * @param maxDelay the longest delay
 * @param multiplier how much the delay grows per attempt, at least 1
 * @param maxAttempts attempts before giving up (the server's resume window also ends them)
 */
public record ReconnectBackoff(Duration initialDelay, Duration maxDelay, double multiplier, int maxAttempts) {

	/** 0.1 s, doubling, up to 10 s, 20 attempts: about two minutes, the server's default window. */
	public static final ReconnectBackoff DEFAULT = new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(10),
			2.0, 20);

	public ReconnectBackoff {
		Assert.isTrue(initialDelay != null && !initialDelay.isNegative(), "initialDelay must not be negative");
		Assert.isTrue(maxDelay != null && maxDelay.compareTo(initialDelay) >= 0,
				"maxDelay must not be shorter than initialDelay");
		Assert.isTrue(multiplier >= 1.0, "multiplier must be at least 1");
		Assert.isTrue(maxAttempts > 0, "maxAttempts must be positive");
	}

	/**
	 * Return the delay before an attempt, jitter included.
	 * @param attempt the attempt, from 1
	 * @return the delay
	 */
	public Duration delayBefore(int attempt) {
		double nominal = this.initialDelay.toNanos() * Math.pow(this.multiplier, attempt - 1);
		long capped = (long) Math.min(nominal, this.maxDelay.toNanos());
		return Duration.ofNanos(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
	}

}

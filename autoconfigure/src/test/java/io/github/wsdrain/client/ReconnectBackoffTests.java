package io.github.wsdrain.client;

import java.time.Duration;
import java.util.stream.IntStream;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The delays between reconnect attempts: exponential, capped, jittered between half and
 * all of the nominal delay.
 */
class ReconnectBackoffTests {

	private final ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(2), 2.0, 10);

	@RepeatedTest(20)
	void eachDelayIsBetweenHalfAndAllOfTheNominalOneAndNeverAboveTheMaximum() {
		long[] nominalMillis = { 100, 200, 400, 800, 1600, 2000, 2000 };
		for (int attempt = 1; attempt <= nominalMillis.length; attempt++) {
			Duration delay = this.backoff.delayBefore(attempt);
			assertThat(delay).as("attempt " + attempt)
				.isBetween(Duration.ofMillis(nominalMillis[attempt - 1] / 2), Duration.ofMillis(nominalMillis[attempt - 1]));
		}
	}

	@Test
	void clientsCutTogetherDoNotAllComeBackTogether() {
		long distinct = IntStream.range(0, 100)
			.mapToObj((i) -> this.backoff.delayBefore(5))
			.distinct()
			.count();
		assertThat(distinct).isGreaterThan(50);
	}

	@Test
	void contradictorySettingsAreRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2.0, 3))
			.withMessage("maxDelay must not be shorter than initialDelay");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ReconnectBackoff(Duration.ofMillis(1), Duration.ofSeconds(1), 0.5, 3))
			.withMessage("multiplier must be at least 1");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ReconnectBackoff(Duration.ofMillis(1), Duration.ofSeconds(1), 2.0, 0))
			.withMessage("maxAttempts must be positive");
	}

}

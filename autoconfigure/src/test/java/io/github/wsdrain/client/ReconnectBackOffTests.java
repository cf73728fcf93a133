package io.github.wsdrain.client;

import java.time.Duration;
import java.util.stream.IntStream;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The reconnect back-off, Spring's {@link ExponentialBackOff} as the client configures
 * it: growing delays with jitter, capped, a bounded number of attempts.
 */
class ReconnectBackOffTests {

	private final ExponentialBackOff backOff = BufferedWebSocketClient.reconnectBackOff(Duration.ofMillis(100),
			Duration.ofSeconds(2), 2.0, 10);

	@RepeatedTest(20)
	void eachDelayIsWithinHalfOfTheNominalOneAndNeverBelowTheInitialNorAboveTheMaximum() {
		long[] nominalMillis = { 100, 200, 400, 800, 1600, 2000, 2000 };
		BackOffExecution execution = this.backOff.start();
		for (int attempt = 1; attempt <= nominalMillis.length; attempt++) {
			long nominal = nominalMillis[attempt - 1];
			assertThat(execution.nextBackOff()).as("attempt " + attempt)
				.isBetween(Math.max(100, nominal / 2), Math.min(2000, nominal * 3 / 2));
		}
	}

	@Test
	void afterTheLastAttemptTheBackOffStops() {
		BackOffExecution execution = this.backOff.start();
		for (int attempt = 1; attempt <= 10; attempt++) {
			assertThat(execution.nextBackOff()).as("attempt " + attempt).isNotEqualTo(BackOffExecution.STOP);
		}
		assertThat(execution.nextBackOff()).isEqualTo(BackOffExecution.STOP);
	}

	@Test
	void clientsCutTogetherDoNotAllComeBackTogether() {
		long distinct = IntStream.range(0, 100).mapToLong((i) -> {
			BackOffExecution execution = this.backOff.start();
			for (int attempt = 1; attempt < 5; attempt++) {
				execution.nextBackOff();
			}
			return execution.nextBackOff();
		}).distinct().count();
		assertThat(distinct).isGreaterThan(50);
	}

	@Test
	void aZeroInitialDelayRetriesAtOnceWithoutJitter() {
		BackOffExecution execution = BufferedWebSocketClient
			.reconnectBackOff(Duration.ZERO, Duration.ofSeconds(1), 2.0, 3)
			.start();
		assertThat(execution.nextBackOff()).isZero();
		assertThat(execution.nextBackOff()).isZero();
	}

	@Test
	void contradictorySettingsAreRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> BufferedWebSocketClient.reconnectBackOff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2.0, 3))
			.withMessage("maxDelay must not be shorter than initialDelay");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> BufferedWebSocketClient.reconnectBackOff(Duration.ofMillis(1), Duration.ofSeconds(1), 0.5, 3))
			.withMessage("multiplier must be at least 1");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> BufferedWebSocketClient.reconnectBackOff(Duration.ofMillis(1), Duration.ofSeconds(1), 2.0, 0))
			.withMessage("maxAttempts must be positive");
	}

}

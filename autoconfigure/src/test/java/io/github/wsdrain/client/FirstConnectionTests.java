package io.github.wsdrain.client;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link FirstConnection}, with attempts that fail on demand.
 */
class FirstConnectionTests {

	private static final URI URI_ = URI.create("ws://localhost/feed");

	private static final ReconnectBackoff FAST = new ReconnectBackoff(Duration.ofMillis(1), Duration.ofMillis(5), 2.0,
			1);

	@Test
	void whenTheFirstAttemptsFailThenItRetriesUntilOneSucceeds() {
		AtomicInteger attempts = new AtomicInteger();
		FirstConnection.open(URI_, Duration.ofSeconds(10), FAST, (timeLeft) -> {
			if (attempts.incrementAndGet() < 4) {
				throw new WebSocketConnectException("cut during the handshake", null);
			}
		});
		assertThat(attempts).hasValue(4);
	}

	@Test
	void whenEveryAttemptFailsThenItGivesUpAtTheConnectTimeoutNamingTheAttempts() {
		AtomicInteger attempts = new AtomicInteger();
		assertThatExceptionOfType(WebSocketConnectException.class)
			.isThrownBy(() -> FirstConnection.open(URI_, Duration.ofMillis(200), FAST, (timeLeft) -> {
				attempts.incrementAndGet();
				throw new WebSocketConnectException("connection refused", null);
			}))
			.withMessageContaining("attempt(s)")
			.withMessageContaining("connection refused");
		assertThat(attempts.get()).isGreaterThan(1);
	}

	@Test
	void whenTheServerRefusesTheProtocolThenItIsNotRetried() {
		AtomicInteger attempts = new AtomicInteger();
		assertThatExceptionOfType(FirstConnection.Refused.class)
			.isThrownBy(() -> FirstConnection.open(URI_, Duration.ofSeconds(10), FAST, (timeLeft) -> {
				attempts.incrementAndGet();
				throw new FirstConnection.Refused("the server did not accept wsdrain.v1", null);
			}));
		assertThat(attempts).hasValue(1);
	}

	@Test
	void eachAttemptIsGivenWhatIsLeftOfTheConnectTimeout() {
		FirstConnection.open(URI_, Duration.ofSeconds(10), FAST,
				(timeLeft) -> assertThat(timeLeft).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(10)));
	}

}

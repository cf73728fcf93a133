package io.github.wsdrain.protocol;

import org.junit.jupiter.api.Test;

import org.springframework.web.socket.TextMessage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the replay buffer counts: an oversized message in full, and nothing once released.
 */
class ReplayBufferTests {

	@Test
	void aMessageLargerThanTheCapacityIsTakenAloneAndCountedInFull() {
		ReplayBuffer buffer = new ReplayBuffer(1024);
		assertThat(buffer.add(new TextMessage("x".repeat(4096)), () -> {
		})).isNotNull();
		assertThat(buffer.bytes()).isEqualTo(4096 + "m:1:".length());
		assertThat(buffer.add(new TextMessage("y"), () -> {
		})).isNull();
	}

	@Test
	void releaseDropsEveryFrameAndKeepsTheSequenceNumbers() {
		ReplayBuffer buffer = new ReplayBuffer(1 << 20);
		for (int i = 0; i < 100; i++) {
			buffer.add(new TextMessage("message " + i), () -> {
			});
		}
		buffer.acknowledge(10);

		buffer.release();

		assertThat(buffer.size()).isZero();
		assertThat(buffer.bytes()).isZero();
		assertThat(buffer.unacknowledged()).isEmpty();
		assertThat(buffer.lastSent()).isEqualTo(100);
		assertThat(buffer.lastAcknowledged()).isEqualTo(10);
		assertThat(buffer.acknowledge(100)).isTrue();
	}

}

package io.github.wsdrain.protocol;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The replay buffer alone: the byte bound with its header reserve, a frame larger than
 * the bound taken alone and counted in full, cumulative release, the admission checked
 * under the lock, and nothing kept once released.
 */
class ReplayBufferTests {

	private final ReplayBuffer buffer = new ReplayBuffer(100);

	@Test
	void numbersFramesAndKeepsThemOldestFirstUntilAcknowledged() {
		add("a");
		add("b");
		add("c");
		assertThat(payloads(this.buffer.unacknowledged())).containsExactly("m:1:a", "m:2:b", "m:3:c");

		assertThat(this.buffer.acknowledge(2)).isTrue();
		assertThat(payloads(this.buffer.unacknowledged())).containsExactly("m:3:c");
		assertThat(this.buffer.lastAcknowledged()).isEqualTo(2);
	}

	@Test
	void aLowerAcknowledgementChangesNothingAndOneAboveTheLastSentIsRefused() {
		add("a");
		add("b");
		this.buffer.acknowledge(2);
		assertThat(this.buffer.acknowledge(1)).isTrue();
		assertThat(this.buffer.lastAcknowledged()).isEqualTo(2);
		assertThat(this.buffer.acknowledge(3)).isFalse();
		assertThat(this.buffer.lastAcknowledged()).isEqualTo(2);
	}

	@Test
	void aFrameThatDoesNotFitIsRefusedAndNotNumbered() {
		assertThat(add("x".repeat(90))).isNotNull();
		assertThat(add("y".repeat(10))).as("94 bytes kept, 14 more do not fit in 100").isNull();
		assertThat(this.buffer.lastSent()).isEqualTo(1);
		assertThat(this.buffer.size()).isEqualTo(1);
	}

	@Test
	void aFrameLargerThanTheBoundIsTakenWhenTheBufferIsEmpty() {
		assertThat(add("x".repeat(500))).isNotNull();
		assertThat(add("y")).isNull();
		this.buffer.acknowledge(1);
		assertThat(add("y")).isNotNull();
	}

	@Test
	void anAdmissionThatRefusesAddsNothing() {
		assertThatIllegalStateException().isThrownBy(() -> this.buffer.add(new TextMessage("a"), () -> {
			throw new IllegalStateException("closing");
		}));
		assertThat(this.buffer.isEmpty()).isTrue();
		assertThat(this.buffer.lastSent()).isZero();
	}

	@Test
	void awaitEmptyReturnsAtTheDeadlineWithFramesLeft() throws Exception {
		add("a");
		assertThat(this.buffer.awaitEmpty(System.nanoTime() + 1_000_000, () -> false)).isFalse();
		this.buffer.acknowledge(1);
		assertThat(this.buffer.awaitEmpty(System.nanoTime(), () -> false)).isTrue();
	}

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
	void acknowledgementsOf1To5000FramesAtATimeReleaseExactlyTheBytesOfThoseFrames() {
		ReplayBuffer buffer = new ReplayBuffer(1 << 24);
		// Restored frames first, as after a move between nodes: numbered on from the acknowledgement.
		buffer.restore(100, List.of(new TextMessage("restored one"), new TextMessage("restored two, longer")));
		long[] frameBytes = new long[10_103];
		frameBytes[101] = "m:101:restored one".length();
		frameBytes[102] = "m:102:restored two, longer".length();
		for (int seq = 103; seq <= 10_102; seq++) {
			frameBytes[seq] = buffer.add(new TextMessage("x".repeat(seq % 37)), () -> {
			}).getPayloadLength();
		}
		long held = 0;
		for (int seq = 101; seq <= 10_102; seq++) {
			held += frameBytes[seq];
		}
		assertThat(buffer.bytes()).isEqualTo(held);
		int acknowledged = 100;
		for (int step : new int[] { 1, 2, 5_000, 3, 4_996 }) {
			for (int seq = acknowledged + 1; seq <= acknowledged + step; seq++) {
				held -= frameBytes[seq];
			}
			acknowledged += step;
			assertThat(buffer.acknowledge(acknowledged)).isTrue();
			assertThat(buffer.bytes()).as("after acknowledging up to %d", acknowledged).isEqualTo(held);
			assertThat(buffer.size()).isEqualTo(10_102 - acknowledged);
		}
		assertThat(held).isZero();
		assertThat(buffer.isEmpty()).isTrue();
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

	@Test
	void aRangeIsTheSameFramesInOrderWhicheverEndOfTheBufferItIsNearer() {
		for (int i = 0; i < 20; i++) {
			add(Integer.toString(i % 10));
		}
		this.buffer.acknowledge(2);

		assertThat(payloads(this.buffer.unacknowledged(3, 6))).as("near the oldest")
			.containsExactly("m:4:3", "m:5:4", "m:6:5");
		assertThat(payloads(this.buffer.unacknowledged(16, 18))).as("near the newest").containsExactly("m:17:6",
				"m:18:7");
		assertThat(payloads(this.buffer.unacknowledged(0, 4))).as("from below the oldest")
			.containsExactly("m:3:2", "m:4:3");
	}

	private WebSocketMessage<?> add(String text) {
		return this.buffer.add(new TextMessage(text), () -> {
		});
	}

	private static List<String> payloads(List<WebSocketMessage<?>> frames) {
		return frames.stream().map((frame) -> ((TextMessage) frame).getPayload()).toList();
	}

}

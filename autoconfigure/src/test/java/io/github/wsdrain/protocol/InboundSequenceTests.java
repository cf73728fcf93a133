package io.github.wsdrain.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import org.springframework.web.socket.TextMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The inbound sequence without a socket: in order, replays dropped and counted, gaps
 * refused, and two connections racing over the same 10,000 frames deliver each once.
 */
class InboundSequenceTests {

	private final InboundSequence sequence = new InboundSequence();

	private final List<Long> delivered = new ArrayList<>();

	@Test
	void deliversTheNextFrameAndDropsReplaysOfDeliveredOnes() throws Exception {
		assertThat(deliver(1)).isTrue();
		assertThat(deliver(2)).isTrue();
		assertThat(deliver(1)).isFalse();
		assertThat(deliver(2)).isFalse();
		assertThat(deliver(3)).isTrue();

		assertThat(this.delivered).containsExactly(1L, 2L, 3L);
		assertThat(this.sequence.last()).isEqualTo(3);
		assertThat(this.sequence.duplicates()).isEqualTo(2);
	}

	@Test
	void aGapIsAProtocolErrorAndDeliversNothing() throws Exception {
		deliver(1);
		assertThatExceptionOfType(ProtocolViolationException.class).isThrownBy(() -> deliver(3))
			.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(1002));
		assertThat(this.sequence.last()).isEqualTo(1);
		assertThat(this.delivered).containsExactly(1L);
	}

	@Test
	void aFrameTheDeliveryDeclinesStaysTheNextOne() throws Exception {
		assertThat(this.sequence.deliver(data(1), (frame) -> false)).isFalse();
		assertThat(this.sequence.last()).isZero();
		assertThat(this.sequence.duplicates()).isZero();
		assertThat(deliver(1)).isTrue();
	}

	@Test
	void aDeliveryThatFailsCountsAsDelivered() {
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> this.sequence.deliver(data(1), (frame) -> {
			throw new IllegalStateException("handler failed");
		}));
		assertThat(this.sequence.last()).as("a replay must not run the handler twice").isEqualTo(1);
	}

	@Test
	void twoConnectionsRacingOverTheSame10000FramesDeliverEachOnceInOrder() throws Exception {
		int count = 10_000;
		Runnable connection = () -> {
			for (long seq = 1; seq <= count; seq++) {
				try {
					deliver(seq);
				}
				catch (ProtocolViolationException ex) {
					throw new IllegalStateException(ex);
				}
			}
		};
		CompletableFuture<Void> first = CompletableFuture.runAsync(connection);
		CompletableFuture<Void> second = CompletableFuture.runAsync(connection);
		first.get(30, TimeUnit.SECONDS);
		second.get(30, TimeUnit.SECONDS);

		assertThat(this.delivered).containsExactlyElementsOf(LongStream.rangeClosed(1, count).boxed().toList());
		assertThat(this.sequence.duplicates()).as("each frame dropped by the connection that lost the race")
			.isEqualTo(count);
	}

	private boolean deliver(long seq) throws ProtocolViolationException {
		return this.sequence.deliver(data(seq), (frame) -> this.delivered.add(frame.seq()));
	}

	private static Frame.Data data(long seq) {
		try {
			return (Frame.Data) FrameCodec.parse(FrameCodec.data(seq, new TextMessage("payload " + seq)));
		}
		catch (ProtocolViolationException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void aSealedSequenceDeliversNothingMoreAndSeesNoGap() throws Exception {
		InboundSequence in = new InboundSequence(4);
		assertThat(in.seal()).isEqualTo(4);
		assertThat(in.deliver(new Frame.Data(5, new TextMessage("5"), 0), (frame) -> true)).isFalse();
		assertThat(in.deliver(new Frame.Data(7, new TextMessage("7"), 0), (frame) -> true)).isFalse();
		assertThat(in.last()).isEqualTo(4);
	}

}

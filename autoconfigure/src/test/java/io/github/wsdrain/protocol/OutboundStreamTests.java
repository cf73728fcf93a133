package io.github.wsdrain.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.TextMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The outbound stream with a recording sink, no socket: numbering, the live connection,
 * the replay after an attach, waiting for room, and the wire order under concurrency.
 */
class OutboundStreamTests {

	private static final Duration LONG = Duration.ofSeconds(10);

	private final OutboundStream stream = new OutboundStream(1024, true);

	private final List<String> wire = new CopyOnWriteArrayList<>();

	private final FrameSink sink = (frame) -> this.wire.add(((TextMessage) frame).getPayload());

	@Test
	void withoutAConnectionFramesWaitAndTheAttachReplaysThemAfterTheOpeningFrames() throws Exception {
		send("one");
		send("two");
		assertThat(this.wire).isEmpty();

		boolean live = this.stream.attach(this.sink, () -> this.wire.add("s:n:token:0:1000"), () -> true);
		send("three");

		assertThat(live).isTrue();
		assertThat(this.wire).containsExactly("s:n:token:0:1000", "m:1:one", "m:2:two", "m:3:three");
		assertThat(this.stream.unacknowledged()).isEqualTo(3);
		assertThat(this.stream.lastSent()).isEqualTo(3);
	}

	@Test
	void anAcknowledgementReleasesEverythingUpToItAndTheNextAttachReplaysOnlyTheRest() throws Exception {
		this.stream.attach(this.sink, () -> true, () -> true);
		send("one");
		send("two");
		send("three");
		this.stream.acknowledge(2);
		this.stream.acknowledge(1);
		this.wire.clear();

		this.stream.attach(this.sink, () -> true, () -> true);

		assertThat(this.wire).containsExactly("m:3:three");
		assertThat(this.stream.lastAcknowledged()).isEqualTo(2);
	}

	@Test
	void withARecorderAFrameIsWrittenOnlyOnceRecordedAndAnAttachReplaysOnlyRecordedFrames() throws Exception {
		List<Long> recorded = new CopyOnWriteArrayList<>();
		OutboundStream recording = new OutboundStream(ReplayCapacity.fixed(1024), true,
				(seq, message) -> recorded.add(seq));
		recording.attach(this.sink, () -> true, () -> true);
		for (String text : List.of("one", "two", "three")) {
			assertThat(recording.send(new TextMessage(text), LONG, () -> {
			})).isTrue();
		}
		assertThat(recorded).containsExactly(1L, 2L, 3L);
		assertThat(this.wire).as("nothing recorded yet").isEmpty();

		recording.recorded(2);
		assertThat(this.wire).containsExactly("m:1:one", "m:2:two");
		recording.recorded(2);
		assertThat(this.wire).as("a repeated watermark writes nothing").hasSize(2);

		this.wire.clear();
		recording.attach(this.sink, () -> true, () -> true);
		assertThat(this.wire).as("the replay stops at the watermark").containsExactly("m:1:one", "m:2:two");
		recording.recorded(3);
		assertThat(this.wire).containsExactly("m:1:one", "m:2:two", "m:3:three");
	}

	@Test
	void anAcknowledgementOfAFrameNeverSentIsAPolicyViolation() throws Exception {
		send("one");
		assertThatExceptionOfType(ProtocolViolationException.class).isThrownBy(() -> this.stream.acknowledge(2))
			.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(1008));
		assertThat(this.stream.unacknowledged()).isEqualTo(1);
	}

	@Test
	void aFailedReplayWriteStopsTheReplayAndLeavesTheConnectionNotLive() throws Exception {
		send("one");
		send("two");
		FrameSink failing = (frame) -> {
			this.wire.add(((TextMessage) frame).getPayload());
			return false;
		};

		boolean live = this.stream.attach(failing, () -> true, () -> true);
		send("three");

		assertThat(live).isFalse();
		assertThat(this.stream.isLive()).isFalse();
		assertThat(this.wire).as("nothing written past a frame that did not go out").containsExactly("m:1:one");
	}

	@Test
	void aConnectionTheSideRefusesAfterTheReplayGetsNoLiveFrames() throws Exception {
		boolean live = this.stream.attach(this.sink, () -> true, () -> false);
		send("one");
		assertThat(live).isFalse();
		assertThat(this.wire).isEmpty();
	}

	@Test
	void aFullBufferMakesTheSenderWaitUntilAnAcknowledgementMakesRoom() throws Exception {
		this.stream.attach(this.sink, () -> true, () -> true);
		send("x".repeat(1000));
		AtomicReference<Thread> sender = new AtomicReference<>();
		CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> {
			sender.set(Thread.currentThread());
			return sendQuietly("y".repeat(100));
		});
		await().atMost(LONG).until(() -> sender.get() != null && sender.get().getState() == Thread.State.TIMED_WAITING);
		assertThat(second).isNotDone();

		this.stream.acknowledge(1);

		assertThat(second.get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(this.wire).hasSize(2).last().asString().startsWith("m:2:y");
	}

	@Test
	void aBufferStillFullAtTheTimeoutKeepsNothing() throws Exception {
		send("x".repeat(1000));
		boolean sent = this.stream.send(new TextMessage("y".repeat(100)), Duration.ofMillis(20), () -> {
		});
		assertThat(sent).isFalse();
		assertThat(this.stream.unacknowledged()).isEqualTo(1);
		assertThat(this.stream.lastSent()).isEqualTo(1);
	}

	@Test
	void anAdmissionThatRefusesStopsAWaitingSenderWhenWoken() throws Exception {
		send("x".repeat(1000));
		AtomicBoolean closed = new AtomicBoolean();
		AtomicReference<Thread> sender = new AtomicReference<>();
		CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
			sender.set(Thread.currentThread());
			try {
				return this.stream.send(new TextMessage("y".repeat(100)), LONG, () -> {
					if (closed.get()) {
						throw new IllegalStateException("closed");
					}
				});
			}
			catch (InterruptedException ex) {
				throw new IllegalStateException(ex);
			}
		});
		await().atMost(LONG).until(() -> sender.get() != null && sender.get().getState() == Thread.State.TIMED_WAITING);

		closed.set(true);
		this.stream.wake();

		assertThat(waiting).failsWithin(LONG).withThrowableThat().withMessageContaining("closed");
		assertThat(this.stream.lastSent()).isEqualTo(1);
	}

	@Test
	void liveFramesSentDuringAnAttachFollowTheReplay() throws Exception {
		send("one");
		CountDownLatch opening = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		CompletableFuture<Boolean> attach = CompletableFuture.supplyAsync(() -> this.stream.attach(this.sink, () -> {
			this.wire.add("s:r:token:0:1000");
			opening.countDown();
			awaitQuietly(release);
			return true;
		}, () -> true));
		assertThat(opening.await(10, TimeUnit.SECONDS)).isTrue();
		CompletableFuture<Boolean> live = CompletableFuture.supplyAsync(() -> sendQuietly("two"));
		release.countDown();

		assertThat(attach.get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(live.get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(this.wire).containsExactly("s:r:token:0:1000", "m:1:one", "m:2:two");
	}

	@Test
	void anUnnumberedFrameGoesOnlyToALiveConnection() throws Exception {
		this.stream.writeUnnumbered(() -> FrameCodec.ack(1));
		this.stream.attach(this.sink, () -> true, () -> true);
		this.stream.writeUnnumbered(() -> FrameCodec.ack(2));
		this.stream.writeUnnumbered(() -> null);
		this.stream.detach(this.sink);
		this.stream.writeUnnumbered(() -> FrameCodec.ack(3));
		assertThat(this.wire).containsExactly("a:2");
	}

	private void send(String text) throws Exception {
		assertThat(this.stream.send(new TextMessage(text), LONG, () -> {
		})).isTrue();
	}

	private boolean sendQuietly(String text) {
		try {
			return this.stream.send(new TextMessage(text), LONG, () -> {
			});
		}
		catch (InterruptedException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * A container that consumes a binary frame's buffer as it writes it (Jetty): the
	 * acknowledgement still releases every byte, so a stream of 50 frames through a
	 * 1 KB buffer never waits, and a replay carries the whole frame.
	 */
	@Test
	void aConnectionThatConsumesBinaryBuffersAsItWritesThemLeavesEveryByteForTheReplayAndTheRelease()
			throws Exception {
		List<String> written = new CopyOnWriteArrayList<>();
		FrameSink consuming = (frame) -> {
			ByteBuffer buffer = ((BinaryMessage) frame).getPayload();
			byte[] bytes = new byte[buffer.remaining()];
			buffer.get(bytes);
			written.add(new String(bytes, StandardCharsets.US_ASCII));
			return true;
		};
		this.stream.attach(consuming, () -> true, () -> true);
		for (int i = 1; i <= 50; i++) {
			assertThat(this.stream.send(binary("payload-" + i), Duration.ofMillis(100), () -> {
			})).as("room for message %d", i).isTrue();
			this.stream.acknowledge(i);
		}
		assertThat(this.stream.bytes()).isZero();
		this.stream.send(binary("kept"), LONG, () -> {
		});
		this.stream.detach();
		written.clear();
		this.stream.attach(consuming, () -> true, () -> true);
		assertThat(written).containsExactly("m:51:kept");
	}

	private static BinaryMessage binary(String text) {
		return new BinaryMessage(text.getBytes(StandardCharsets.US_ASCII));
	}

}

package io.github.wsdrain.server.resume;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The journal writer against a journal in memory that the test can hold up or fail: one
 * store call per batch of at most 1 MB, frames released only once recorded (written while
 * the next batch is recorded), counters coalesced (the
 * acknowledgement recorded with the next batch), and how a store failure or a move ends
 * the recording.
 */
class JournalWriterTests {

	private static final Duration SEND_TIME_LIMIT = Duration.ofMillis(300);

	private final ExecutorService writers = Executors.newFixedThreadPool(2);

	private final StubJournal journal = new StubJournal();

	private final Target target = new Target();

	private final JournalWriter writer = new JournalWriter(this.journal, SEND_TIME_LIMIT, this.writers, this.target);

	@AfterEach
	void stop() {
		this.journal.hold.countDown();
		this.target.hold.countDown();
		this.writers.shutdownNow();
	}

	@Test
	void messagesNumberedWhileABatchIsRecordedGoInTheNextBatchInOneCall() {
		recordWhileTheFirstIsBeingRecorded(100, (seq) -> text("m" + seq));
		assertThat(this.target.recorded).as("nothing released before it is recorded").isEmpty();

		this.journal.hold.countDown();
		await().until(() -> this.target.recorded.contains(100L));

		assertThat(this.journal.appends).containsExactly("1+1", "2+99");
		assertThat(this.target.recorded).as("frames released up to each batch, or the later one").isSorted()
			.endsWith(100L)
			.isSubsetOf(1L, 100L);
	}

	@Test
	void aBatchTakesAtMostAMegabyteAndTheNextIsRecordedWhileItsFramesAreWritten() {
		recordWhileTheFirstIsBeingRecorded(5, (seq) -> binary(400 * 1024));
		this.target.holdNext();

		this.journal.hold.countDown();
		await().until(() -> this.journal.appends.size() == 3 && this.target.writing.get());

		assertThat(this.journal.appends).as("two 400 KB messages per batch, no more than 1 MB")
			.containsExactly("1+1", "2+2", "4+2");
		assertThat(this.target.recorded).as("every batch recorded while frames are being written").isEmpty();
		this.target.hold.countDown();
		await().until(() -> this.target.recorded.contains(5L));
		assertThat(this.target.recorded).isSorted().endsWith(5L);
	}

	@Test
	void theStoreHoldsUpTheReplayBufferOnlyWhileMessagesAreUnrecorded() {
		this.journal.holdNext();
		this.writer.delivered(1, 10);
		await().until(() -> this.journal.waitingDelivery.get());
		assertThat(this.writer.isHoldingUp()).as("recording a delivery").isFalse();
		this.journal.hold.countDown();
		await().until(() -> this.target.acknowledgedToClient.contains("1/10"));

		this.journal.holdNext();
		this.writer.record(1, text("one"));
		await().until(() -> this.journal.waiting.get());
		assertThat(this.writer.isHoldingUp()).as("recording a message").isTrue();
		this.journal.hold.countDown();
		await().until(() -> this.target.recorded.contains(1L));
		assertThat(this.writer.isHoldingUp()).as("everything recorded").isFalse();
	}

	@Test
	void onlyTheLatestAcknowledgementAndDeliveryAreRecorded() {
		this.journal.holdNext();
		this.writer.record(1, text("one"));
		await().until(() -> this.journal.waiting.get());
		for (long seq = 1; seq <= 50; seq++) {
			this.writer.acknowledged(seq);
			this.writer.delivered(seq, 10);
		}
		this.writer.acknowledged(10);

		this.journal.hold.countDown();
		await().until(() -> this.journal.delivered.contains(50L));

		assertThat(this.journal.acknowledged).containsExactly(50L);
		assertThat(this.journal.delivered).containsExactly(50L);
		assertThat(this.target.acknowledgedToClient).as("acknowledged once recorded, with every byte")
			.containsExactly("50/500");
	}

	@Test
	void anAcknowledgementTakenWhileABatchIsRecordedRidesInTheNextBatchsCall() {
		this.journal.holdNext();
		this.writer.record(1, text("one"));
		await().until(() -> this.journal.waiting.get());
		this.writer.record(2, text("two"));
		this.writer.acknowledged(1);
		this.writer.delivered(3, 10);

		this.journal.hold.countDown();
		await().until(() -> this.target.acknowledgedToClient.contains("3/10"));

		assertThat(this.journal.appends).containsExactly("1+1", "2+1");
		assertThat(this.journal.rodeAlong).containsExactly(0L, 1L);
		assertThat(this.journal.acknowledged).as("no call of its own").isEmpty();
		assertThat(this.journal.delivered).as("a delivery is recorded on its own").containsExactly(3L);
		assertThat(this.target.recorded).isSorted().endsWith(2L).isSubsetOf(1L, 2L);
	}

	@Test
	void aClientMessageIsAcknowledgedOnlyOnceItsDeliveryIsRecordedAndAReplayOfOneAgainAtOnce() {
		this.journal.holdNext();
		this.writer.delivered(1, 10);
		await().until(() -> this.journal.waitingDelivery.get());
		assertThat(this.target.acknowledgedToClient).as("not before it is recorded").isEmpty();

		this.journal.hold.countDown();
		await().until(() -> this.target.acknowledgedToClient.contains("1/10"));
		this.writer.delivered(1, 10);

		assertThat(this.target.acknowledgedToClient).containsExactly("1/10", "1/10");
		assertThat(this.journal.delivered).containsExactly(1L);
	}

	@Test
	void aSessionTakenOverWhileItEndedReleasesTheLastMessageDeliveredAndTheLastRecordedHereForTheNewOwner() {
		this.writer.record(1, text("one"));
		await().until(() -> this.target.recorded.contains(1L));
		this.writer.delivered(5, 10);
		await().until(() -> this.target.acknowledgedToClient.contains("5/10"));
		this.journal.holdNext();
		this.writer.delivered(6, 10);
		this.writer.delivered(7, 10);
		await().until(() -> this.journal.waitingDelivery.get());
		this.journal.movedBeforeTheEnd = true;
		this.journal.hold.countDown();

		this.writer.ended(CloseStatus.NORMAL, true);

		assertThat(this.journal.ended).isOne();
		assertThat(this.journal.released)
			.as("the new owner waits for it, goes on after it and checks that the store kept frame 1")
			.containsExactly("7/1");
	}

	@Test
	void aStoreUnreachableForTheSendTimeLimitEndsTheRecordingOnceAndTheEndIsNotWritten() {
		this.journal.failAppends.set(new ResumeStoreException("unreachable", null));
		this.writer.record(1, text("one"));
		this.writer.record(2, text("two"));

		await().atMost(Duration.ofSeconds(5)).until(() -> this.target.failures.get() == 1);
		this.writer.record(3, text("three"));
		this.writer.ended(CloseStatus.SERVER_ERROR, false);

		assertThat(this.journal.attempts.get()).as("retried with a back-off").isGreaterThan(1);
		assertThat(this.target.failures).hasValue(1);
		assertThat(this.target.recorded).isEmpty();
		assertThat(this.journal.ended).as("a second wait for the store at the end").isZero();
		assertThat(this.writer.isHoldingUp()).as("stopped").isFalse();
	}

	@Test
	void aMoveReportsEveryMessageLeftUnrecorded() {
		this.journal.holdNext();
		this.journal.failAppends.set(new SessionMovedException("moved"));
		this.writer.record(1, text("one"));
		await().until(() -> this.journal.waiting.get());
		this.writer.record(2, text("two"));
		this.writer.record(3, text("three"));

		this.journal.hold.countDown();

		await().until(() -> this.target.movedAway.get() >= 0);
		assertThat(this.target.movedAway).as("the failed batch and the one waiting").hasValue(3);
		assertThat(this.journal.attempts).as("a move is not retried").hasValue(1);
	}

	@Test
	void aHandOverRecordsEverythingNumberedBeforeItMarksTheSession() {
		this.journal.holdNext();
		this.writer.record(1, text("one"));
		await().until(() -> this.journal.waiting.get());
		this.writer.record(2, text("two"));
		this.writer.delivered(7, 10);

		CountDownLatch handedOver = new CountDownLatch(1);
		AtomicReference<Boolean> result = new AtomicReference<>();
		Thread stopping = new Thread(() -> {
			result.set(this.writer.handOver(7));
			handedOver.countDown();
		});
		stopping.start();
		assertThat(this.journal.handedOver).as("not while a batch waits").isEmpty();
		this.journal.hold.countDown();

		await().until(() -> handedOver.getCount() == 0);
		assertThat(result.get()).isTrue();
		assertThat(this.journal.appends).containsExactly("1+1", "2+1");
		assertThat(this.journal.handedOver).containsExactly(7L);
	}

	private static TextMessage text(String payload) {
		return new TextMessage(payload);
	}

	private static BinaryMessage binary(int size) {
		return new BinaryMessage(new byte[size]);
	}

	/** A journal in memory whose next append can be held up, and whose appends can fail. */
	static final class StubJournal implements SessionJournal {

		final List<String> appends = new CopyOnWriteArrayList<>();

		final List<Long> acknowledged = new CopyOnWriteArrayList<>();

		/** The acknowledgement recorded with each batch. */
		final List<Long> rodeAlong = new CopyOnWriteArrayList<>();

		final List<Long> delivered = new CopyOnWriteArrayList<>();

		final List<Long> handedOver = new CopyOnWriteArrayList<>();

		final AtomicInteger attempts = new AtomicInteger();

		final AtomicReference<RuntimeException> failAppends = new AtomicReference<>();

		final AtomicReference<Boolean> waiting = new AtomicReference<>(false);

		final AtomicReference<Boolean> waitingDelivery = new AtomicReference<>(false);

		volatile CountDownLatch hold = new CountDownLatch(0);

		volatile int ended;

		volatile boolean movedBeforeTheEnd;

		final List<String> released = new CopyOnWriteArrayList<>();

		void holdNext() {
			this.hold = new CountDownLatch(1);
		}

		@Override
		public String id() {
			return "stub";
		}

		@Override
		public long epoch() {
			return 1;
		}

		@Override
		public void tokenIssued(String token) {
		}

		@Override
		public void tokensRetired(Collection<String> tokens) {
		}

		@Override
		public void append(long firstSeq, List<? extends WebSocketMessage<?>> messages) {
			this.attempts.incrementAndGet();
			this.waiting.set(true);
			try {
				this.hold.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			RuntimeException failure = this.failAppends.get();
			if (failure != null) {
				throw failure;
			}
			this.appends.add(firstSeq + "+" + new ArrayList<>(messages).size());
		}

		@Override
		public void append(long firstSeq, List<? extends WebSocketMessage<?>> messages, long acknowledged) {
			append(firstSeq, messages);
			this.rodeAlong.add(acknowledged);
		}

		@Override
		public void acknowledged(long seq) {
			this.acknowledged.add(seq);
		}

		@Override
		public void delivered(long clientSeq) {
			this.waitingDelivery.set(true);
			try {
				this.hold.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.delivered.add(clientSeq);
		}

		@Override
		public void handOver(long delivered) {
			this.handedOver.add(delivered);
		}

		@Override
		public void released(long delivered, long recorded) {
			this.released.add(delivered + "/" + recorded);
		}

		@Override
		public void ended(CloseStatus status, boolean complete) {
			this.ended++;
			if (this.movedBeforeTheEnd) {
				throw new SessionMovedException("moved");
			}
		}

	}

	/** Records what the writer reports. */
	/** Record message 1, and 2 to {@code last} while the journal holds the first append. */
	private void recordWhileTheFirstIsBeingRecorded(int last, IntFunction<WebSocketMessage<?>> message) {
		this.journal.holdNext();
		this.writer.record(1, text("one"));
		await().until(() -> this.journal.waiting.get());
		for (int seq = 2; seq <= last; seq++) {
			this.writer.record(seq, message.apply(seq));
		}
	}

	static final class Target implements JournalWriter.Target {

		final List<Long> recorded = new CopyOnWriteArrayList<>();

		final List<String> acknowledgedToClient = new CopyOnWriteArrayList<>();

		final AtomicInteger movedAway = new AtomicInteger(-1);

		final AtomicInteger failures = new AtomicInteger();

		volatile CountDownLatch hold = new CountDownLatch(0);

		final AtomicBoolean writing = new AtomicBoolean();

		void holdNext() {
			this.hold = new CountDownLatch(1);
		}

		@Override
		public void recorded(long seq) {
			this.writing.set(true);
			try {
				this.hold.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.recorded.add(seq);
		}

		@Override
		public void delivered(long seq, long bytes) {
			this.acknowledgedToClient.add(seq + "/" + bytes);
		}

		@Override
		public void movedAway(int unrecorded) {
			this.movedAway.set(unrecorded);
		}

		@Override
		public void storeFailed(ResumeStoreException ex) {
			this.failures.incrementAndGet();
		}

	}

}

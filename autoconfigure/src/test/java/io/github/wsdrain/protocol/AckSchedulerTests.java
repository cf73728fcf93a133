package io.github.wsdrain.protocol;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.Trigger;
import org.springframework.web.socket.TextMessage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Acknowledgement batching with a hand-driven timer and clock: cumulative, one delayed
 * acknowledgement per 100 ms at most, eager after 32 KB but never within 2 ms of the last
 * (then when the 2 ms end).
 */
class AckSchedulerTests {

	private final OutboundStream out = new OutboundStream(1024, true);

	private final List<String> wire = new CopyOnWriteArrayList<>();

	private final ManualTimer timer = new ManualTimer();

	private final List<Runnable> writes = new ArrayList<>();

	private final AtomicLong now = new AtomicLong(1_000_000_000L);

	private final AckScheduler acks = new AckScheduler(this.out, this.timer, this.writes::add, this.now::get);

	@BeforeEach
	void attach() {
		this.out.attach((frame) -> this.wire.add(((TextMessage) frame).getPayload()), () -> true, () -> true);
	}

	@Test
	void framesTakenWithinTheDelayShareOneCumulativeAcknowledgement() {
		this.acks.taken(1, 10);
		this.acks.taken(2, 10);
		this.acks.taken(3, 10);
		assertThat(this.timer.delays).as("one timer for the batch").hasSize(1);
		assertThat(this.wire).isEmpty();

		this.timer.fire();
		runWrites();

		assertThat(this.wire).containsExactly("a:3");
	}

	@Test
	void theTimerIsSetAgainForFramesTakenAfterItFired() {
		this.acks.taken(1, 10);
		this.timer.fire();
		runWrites();
		this.acks.taken(2, 10);
		this.timer.fire();
		runWrites();
		assertThat(this.wire).containsExactly("a:1", "a:2");
	}

	@Test
	void nothingNewMeansNoAcknowledgement() {
		this.acks.taken(1, 10);
		this.acks.flush();
		this.timer.fire();
		runWrites();
		assertThat(this.wire).containsExactly("a:1");
	}

	@Test
	void after32KilobytesTheAcknowledgementGoesOutWithoutWaitingForTheTimer() {
		this.now.addAndGet(TimeUnit.MILLISECONDS.toNanos(5));
		this.acks.taken(1, AckScheduler.EAGER_BYTES / 2);
		assertThat(this.writes).isEmpty();
		this.acks.taken(2, AckScheduler.EAGER_BYTES / 2);
		runWrites();
		assertThat(this.wire).containsExactly("a:2");
	}

	@Test
	void eagerAcknowledgementsAreAtLeastTwoMillisecondsApart() {
		this.now.addAndGet(TimeUnit.MILLISECONDS.toNanos(5));
		this.acks.taken(1, AckScheduler.EAGER_BYTES);
		runWrites();
		this.now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
		this.acks.taken(2, AckScheduler.EAGER_BYTES);
		assertThat(this.writes).as("within 2 ms of the last: the timer's turn").isEmpty();
		this.acks.taken(3, AckScheduler.EAGER_BYTES);
		assertThat(this.timer.delays).as("one timer for both").hasSize(1);
		this.timer.fire();
		runWrites();
		assertThat(this.wire).containsExactly("a:1", "a:3");
	}

	@Test
	void anEagerAcknowledgementDueWithinTwoMillisecondsGoesOutWhenTheyEndNotAfterTheDelay() {
		this.now.addAndGet(TimeUnit.MILLISECONDS.toNanos(5));
		this.acks.taken(1, AckScheduler.EAGER_BYTES);
		runWrites();
		this.now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
		Instant before = Instant.now();
		// The last frame of a full window: the sender sends nothing more until it is acknowledged.
		this.acks.taken(2, AckScheduler.EAGER_BYTES);
		assertThat(this.timer.delays).hasSize(1);
		assertThat(Duration.between(before, this.timer.delays.get(0)))
			.as("the rest of the 2 ms interval (1 ms), not the 100 ms delay")
			.isLessThan(AckScheduler.DELAY.dividedBy(2));
		this.timer.fire();
		runWrites();
		assertThat(this.wire).containsExactly("a:1", "a:2");
	}

	@Test
	void whatANewConnectionLearnsInItsOpeningFramesIsNotAcknowledgedAgain() {
		this.acks.taken(4, 10);
		assertThat(this.acks.acknowledgeAll()).isEqualTo(4);
		this.timer.fire();
		runWrites();
		assertThat(this.wire).isEmpty();
		assertThat(this.acks.taken()).isEqualTo(4);
	}

	@Test
	void withoutALiveConnectionNothingIsWrittenAndTheNextFlushCatchesUp() {
		this.out.detach();
		this.acks.taken(1, 10);
		this.timer.fire();
		runWrites();
		assertThat(this.wire).isEmpty();
		this.out.attach((frame) -> this.wire.add(((TextMessage) frame).getPayload()), () -> true, () -> true);
		this.acks.flush();
		assertThat(this.wire).containsExactly("a:1");
	}

	private void runWrites() {
		List<Runnable> pending = List.copyOf(this.writes);
		this.writes.clear();
		pending.forEach(Runnable::run);
	}

	/** Records what is scheduled; {@link #fire()} runs it. */
	private static final class ManualTimer implements TaskScheduler {

		final List<Instant> delays = new ArrayList<>();

		private final List<Runnable> tasks = new ArrayList<>();

		@Override
		public ScheduledFuture<?> schedule(Runnable task, Instant startTime) {
			this.delays.add(startTime);
			this.tasks.add(task);
			// The scheduler does not use the future.
			return null;
		}

		@Override
		public @Nullable ScheduledFuture<?> schedule(Runnable task, Trigger trigger) {
			throw new UnsupportedOperationException();
		}

		@Override
		public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Instant startTime, Duration period) {
			throw new UnsupportedOperationException();
		}

		@Override
		public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Duration period) {
			throw new UnsupportedOperationException();
		}

		@Override
		public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Instant startTime, Duration delay) {
			throw new UnsupportedOperationException();
		}

		@Override
		public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Duration delay) {
			throw new UnsupportedOperationException();
		}

		void fire() {
			List<Runnable> due = List.copyOf(this.tasks);
			this.tasks.clear();
			due.forEach(Runnable::run);
		}

	}

}

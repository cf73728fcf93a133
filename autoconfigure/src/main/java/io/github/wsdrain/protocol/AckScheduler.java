package io.github.wsdrain.protocol;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.springframework.scheduling.TaskScheduler;

/**
 * When one side of a {@code wsdrain.v1} session acknowledges what it received
 * (PROTOCOL.md §3): cumulatively, within {@link #DELAY} of taking a frame, and sooner
 * after {@link #EAGER_BYTES} so that a fast stream never waits on the delay, but not more
 * often than every {@link #MIN_INTERVAL}, since a peer refuses acknowledgement floods: an
 * eager acknowledgement due within the interval goes out when it ends.
 * Acknowledgements go out through the side's {@link OutboundStream}, behind its opening
 * frames on a new connection.
 */
public final class AckScheduler {

	/** An acknowledgement goes out at most this long after a frame was taken. */
	public static final Duration DELAY = Duration.ofMillis(100);

	/** Acknowledge sooner after this many payload bytes... */
	public static final long EAGER_BYTES = 32 * 1024;

	/** ...but not more often than this: at most 500 a second. */
	public static final Duration MIN_INTERVAL = Duration.ofMillis(2);

	private final OutboundStream out;

	private final TaskScheduler timer;

	private final Executor writer;

	private final LongSupplier nanoClock;

	/** The highest sequence number taken: on the server, a replaced connection and its successor may both take. */
	private final AtomicLong taken = new AtomicLong();

	/** Written under the stream's send lock. */
	private volatile long acknowledged;

	private final AtomicLong bytesSinceAck = new AtomicLong();

	private volatile long lastAckNanos;

	private final AtomicBoolean delayedPending = new AtomicBoolean();

	private final AtomicBoolean eagerPending = new AtomicBoolean();

	/**
	 * Create the scheduler of one session.
	 * @param out the stream the acknowledgements go out on
	 * @param timer fires the delayed acknowledgements
	 * @param writer writes them, since a write may wait on a slow peer: never the timer
	 */
	public AckScheduler(OutboundStream out, TaskScheduler timer, Executor writer) {
		this(out, timer, writer, System::nanoTime);
	}

	AckScheduler(OutboundStream out, TaskScheduler timer, Executor writer, LongSupplier nanoClock) {
		this.out = out;
		this.timer = timer;
		this.writer = writer;
		this.nanoClock = nanoClock;
		this.lastAckNanos = nanoClock.getAsLong();
	}

	/**
	 * A frame was taken (delivered to the app, or returned to the consumer): acknowledge
	 * it, later or now.
	 * @param seq its sequence number
	 * @param bytes its payload size
	 */
	public void taken(long seq, long bytes) {
		this.taken.accumulateAndGet(seq, Math::max);
		if (this.bytesSinceAck.addAndGet(bytes) >= EAGER_BYTES) {
			if (claim(this.eagerPending)) {
				long wait = MIN_INTERVAL.toNanos() - (this.nanoClock.getAsLong() - this.lastAckNanos);
				if (wait <= 0) {
					run(() -> flushOnce(this.eagerPending));
				}
				else {
					// Too soon after the last: when the interval ends, not after the delay. A sender
					// whose window is full, and so sends nothing more, waits for exactly this one.
					schedule(this.eagerPending, Duration.ofNanos(wait));
				}
			}
		}
		else if (claim(this.delayedPending)) {
			schedule(this.delayedPending, DELAY);
		}
	}

	/**
	 * Claim a task's turn: on every frame taken, while the task is pending for most of
	 * them, so a read first; a compare-and-set takes the cache line even when it fails.
	 */
	private static boolean claim(AtomicBoolean pending) {
		return !pending.get() && pending.compareAndSet(false, true);
	}

	private void schedule(AtomicBoolean pending, Duration delay) {
		try {
			this.timer.schedule(() -> run(() -> flushOnce(pending)), Instant.now().plus(delay));
		}
		catch (RejectedExecutionException ex) {
			// Shutting down: nobody is left to acknowledge to.
			pending.set(false);
		}
	}

	/** Acknowledge everything taken now, if it is more than the peer already knows. */
	public void flush() {
		this.out.writeUnnumbered(() -> {
			long seq = this.taken.get();
			if (seq <= this.acknowledged) {
				return null;
			}
			markAcknowledged(seq);
			return FrameCodec.ack(seq);
		});
	}

	/**
	 * At most one task of each kind per session, pending or running: one stuck behind a
	 * write to a peer that does not read must not be joined by another for every frame the
	 * peer keeps sending.
	 */
	private void flushOnce(AtomicBoolean pending) {
		try {
			flush();
		}
		finally {
			pending.set(false);
		}
		// Taken while this task ran: acknowledge it in the next batch.
		if (this.out.isLive() && this.taken.get() > this.acknowledged) {
			taken(this.taken.get(), 0);
		}
	}

	/**
	 * On a new connection, while its opening frames are written: the peer is about to
	 * learn everything taken so far (in the session frame, or the confirmation).
	 * @return the highest sequence number taken
	 */
	public long acknowledgeAll() {
		long seq = this.taken.get();
		markAcknowledged(seq);
		return seq;
	}

	/**
	 * Repeat the last acknowledgement, unless a sender is writing: it fills a silence, and
	 * a connection being written to is not silent.
	 */
	public void repeat() {
		this.out.tryWriteUnnumbered(() -> FrameCodec.ack(this.acknowledged));
	}

	/**
	 * Return the highest sequence number taken.
	 * @return the sequence number, 0 before the first frame
	 */
	public long taken() {
		return this.taken.get();
	}

	private void markAcknowledged(long seq) {
		this.acknowledged = seq;
		this.lastAckNanos = this.nanoClock.getAsLong();
		this.bytesSinceAck.set(0);
	}

	private void run(Runnable task) {
		try {
			this.writer.execute(task);
		}
		catch (RejectedExecutionException ex) {
			// Shutting down: nobody is left to acknowledge to.
		}
	}

}

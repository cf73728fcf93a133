package io.github.wsdrain.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * The last step of a drain before the close frame: a Ping with a payload of its own,
 * then a wait for the matching Pong. A peer answers a Ping only after it has parsed every
 * frame before it, so the Pong proves that the peer holds every message, even a peer
 * that discards the data frames it reads together with a close frame (as python
 * {@code websockets} 14.0 did). Costs one round trip per close, except for a session that
 * was never given a message to send: its peer has none to lose, so it gets no Ping.
 * <p>
 * The wait is bounded by the barrier timeout and by what remains of the drain timeout,
 * whichever ends first; past it the close goes ahead and the outcome says
 * {@link BarrierOutcome#TIMED_OUT}. A timeout of zero turns the barrier off.
 * <p>
 * No thread waits for the Pong: the container thread that delivers it writes the close
 * frame, so closing thousands of sessions at once costs no thread hand-off per session.
 * That write does not block: the peer has read everything before the Ping, so the
 * connection has room for one more frame. Only a timeout (on the timer thread), a Ping
 * that failed, or a Pong that overtook the return of the Ping's write hands the close
 * frame to the executor.
 */
public final class CloseBarrier {

	private static final Log logger = LogFactory.getLog(CloseBarrier.class);

	private static final byte[] PAYLOAD_PREFIX = "wsdrain-close:".getBytes(StandardCharsets.US_ASCII);

	private static final AtomicReferenceFieldUpdater<CloseBarrier, BarrierOutcome> OUTCOME = AtomicReferenceFieldUpdater
		.newUpdater(CloseBarrier.class, BarrierOutcome.class, "outcome");

	private static final AtomicIntegerFieldUpdater<CloseBarrier> PING_WRITTEN_OR_PONG_TAKEN = AtomicIntegerFieldUpdater
		.newUpdater(CloseBarrier.class, "pingWrittenOrPongTaken");

	private final Duration timeout;

	private final ScheduledExecutorService timer;

	private final Executor executor;

	/** Set once, by whatever ends the wait first; {@code null} until then. */
	private volatile @Nullable BarrierOutcome outcome;

	/** What follows the barrier, set before the Ping goes out. */
	private volatile @Nullable Runnable then;

	/** Ends the wait at its bound; cancelled when the Pong comes first. */
	private volatile @Nullable ScheduledFuture<?> expiry;

	private volatile @Nullable ByteBuffer payload;

	/**
	 * Set to 1 by whichever comes first of the Ping's write returning and the Pong being
	 * taken; the second writes the close frame, so that it never overlaps the Ping's write.
	 */
	private volatile int pingWrittenOrPongTaken;

	private volatile boolean skipped;

	/**
	 * Create the barrier of one session.
	 * @param timeout the longest wait for the Pong; zero turns the barrier off
	 * @param timer ends the wait at its bound
	 * @param executor runs what follows a barrier that timed out or whose Ping failed:
	 * neither the timer thread nor the thread that asked for the close may block on it
	 */
	CloseBarrier(Duration timeout, ScheduledExecutorService timer, Executor executor) {
		this.timeout = timeout;
		this.timer = timer;
		this.executor = executor;
	}

	/**
	 * Never send a Ping: a {@code wsdrain.v1} connection, whose session waits for the
	 * client's acknowledgement of every message, which proves more.
	 */
	void skip() {
		this.skipped = true;
	}

	/**
	 * Return whether {@link #pass} sends a Ping, rather than running what follows at once.
	 * @param acceptedMessages the messages the session has accepted to send, whether
	 * written or not: a write that failed may still have reached the peer
	 * @return {@code false} when the barrier is off or skipped, or no message was accepted
	 */
	boolean sendsPing(long acceptedMessages) {
		return !this.skipped && !this.timeout.isZero() && acceptedMessages > 0;
	}

	/**
	 * Send the Ping on the connection and run {@code then} once the Pong has arrived, the
	 * bound has passed or the connection has ended; at once when the barrier is off.
	 * @param connection the container's session, after the last message
	 * @param acceptedMessages the messages the session has accepted to send
	 * @param drainDeadlineNanos the {@link System#nanoTime()} at which the drain timeout ends
	 * @param then what comes next: the close frame
	 */
	void pass(WebSocketSession connection, long acceptedMessages, long drainDeadlineNanos, Runnable then) {
		long bound = Math.min(this.timeout.toNanos(), drainDeadlineNanos - System.nanoTime());
		if (!sendsPing(acceptedMessages)) {
			OUTCOME.compareAndSet(this, null, BarrierOutcome.SKIPPED);
			then.run();
			return;
		}
		if (bound <= 0) {
			OUTCOME.compareAndSet(this, null, BarrierOutcome.TIMED_OUT);
			then.run();
			return;
		}
		if (!connection.isOpen()) {
			OUTCOME.compareAndSet(this, null, BarrierOutcome.CONNECTION_ENDED);
			then.run();
			return;
		}
		ByteBuffer expected = newPayload();
		this.then = then;
		// Written after what the Pong's thread reads: a matching Pong implies both are set.
		this.payload = expected;
		this.expiry = this.timer.schedule(() -> {
			if (finish(BarrierOutcome.TIMED_OUT)) {
				if (logger.isDebugEnabled()) {
					logger.debug("WebSocket session " + connection.getId() + ": no Pong for the close barrier within "
							+ TimeUnit.NANOSECONDS.toMillis(bound) + " ms; closing all the same");
				}
				this.executor.execute(then);
			}
		}, bound, TimeUnit.NANOSECONDS);
		try {
			connection.sendMessage(new PingMessage(expected.duplicate()));
		}
		catch (IOException | RuntimeException ex) {
			logger.debug("WebSocket session " + connection.getId() + ": failed to send the close barrier's Ping", ex);
			if (finish(BarrierOutcome.CONNECTION_ENDED)) {
				this.executor.execute(then);
				return;
			}
			// The Pong came all the same: the close frame may be this thread's to send.
		}
		if (!PING_WRITTEN_OR_PONG_TAKEN.compareAndSet(this, 0, 1)) {
			// The Pong came before the Ping's write returned: its thread left the close frame
			// to this one, since the container takes one write at a time.
			this.executor.execute(then);
		}
	}

	/**
	 * Take a Pong if it answers this barrier's Ping; the application never sees such a
	 * Pong, even one that arrives after the barrier timed out. Other Pongs (answers to the
	 * application's own Pings) are left alone.
	 * @param pong a Pong from the peer
	 * @return {@code true} if the Pong belonged to the barrier
	 */
	public boolean consume(PongMessage pong) {
		ByteBuffer expected = this.payload;
		if (expected == null || !expected.equals(pong.getPayload())) {
			return false;
		}
		if (finish(BarrierOutcome.PASSED) && !PING_WRITTEN_OR_PONG_TAKEN.compareAndSet(this, 0, 1)) {
			// The Ping's write has returned: the close frame goes out on this thread, with
			// no hand-off and no thread that waited for the Pong.
			Runnable then = this.then;
			if (then != null) {
				then.run();
			}
		}
		return true;
	}

	/**
	 * Stop waiting: the connection has ended.
	 */
	void connectionEnded() {
		Runnable then = this.then;
		if (then != null && finish(BarrierOutcome.CONNECTION_ENDED)) {
			this.executor.execute(then);
		}
	}

	/**
	 * End the wait with the given outcome unless it has ended already.
	 * @return {@code true} if this call ended the wait: the caller runs what follows
	 */
	private boolean finish(BarrierOutcome result) {
		if (!OUTCOME.compareAndSet(this, null, result)) {
			return false;
		}
		ScheduledFuture<?> expiry = this.expiry;
		if (expiry != null) {
			expiry.cancel(false);
		}
		return true;
	}

	/**
	 * Return how the barrier ended.
	 * @return the outcome, {@link BarrierOutcome#SKIPPED} while no Ping was sent
	 */
	public BarrierOutcome getOutcome() {
		BarrierOutcome outcome = this.outcome;
		return (outcome != null) ? outcome : BarrierOutcome.SKIPPED;
	}

	private static ByteBuffer newPayload() {
		ByteBuffer buffer = ByteBuffer.allocate(PAYLOAD_PREFIX.length + Long.BYTES);
		buffer.put(PAYLOAD_PREFIX).putLong(ThreadLocalRandom.current().nextLong()).flip();
		return buffer.asReadOnlyBuffer();
	}

}

package io.github.wsdrain.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

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
 * {@code websockets} 14.0 did). Costs one round trip per close.
 * <p>
 * The wait is bounded by the barrier timeout and by what remains of the drain timeout,
 * whichever ends first; past it the close goes ahead and the outcome says
 * {@link BarrierOutcome#TIMED_OUT}. A timeout of zero turns the barrier off.
 */
public final class CloseBarrier {

	private static final Log logger = LogFactory.getLog(CloseBarrier.class);

	private static final byte[] PAYLOAD_PREFIX = "wsdrain-close:".getBytes(StandardCharsets.US_ASCII);

	private final Duration timeout;

	private final ScheduledExecutorService timer;

	private final Executor executor;

	private final CompletableFuture<BarrierOutcome> outcome = new CompletableFuture<>();

	private volatile @Nullable ByteBuffer payload;

	private volatile boolean skipped;

	/**
	 * Create the barrier of one session.
	 * @param timeout the longest wait for the Pong; zero turns the barrier off
	 * @param timer ends the wait at its bound
	 * @param executor runs what follows the barrier: neither the container thread that
	 * delivers the Pong nor the timer thread may block on the close
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
	 * @return {@code false} when the barrier is off or skipped
	 */
	boolean sendsPing() {
		return !this.skipped && !this.timeout.isZero();
	}

	/**
	 * Send the Ping on the connection and run {@code then} once the Pong has arrived, the
	 * bound has passed or the connection has ended; at once when the barrier is off.
	 * @param connection the container's session, after the last message
	 * @param drainDeadlineNanos the {@link System#nanoTime()} at which the drain timeout ends
	 * @param then what comes next: the close frame
	 */
	void pass(WebSocketSession connection, long drainDeadlineNanos, Runnable then) {
		long bound = Math.min(this.timeout.toNanos(), drainDeadlineNanos - System.nanoTime());
		if (this.skipped || this.timeout.isZero()) {
			this.outcome.complete(BarrierOutcome.SKIPPED);
			then.run();
			return;
		}
		if (bound <= 0) {
			this.outcome.complete(BarrierOutcome.TIMED_OUT);
			then.run();
			return;
		}
		if (!connection.isOpen()) {
			this.outcome.complete(BarrierOutcome.CONNECTION_ENDED);
			then.run();
			return;
		}
		ByteBuffer expected = newPayload();
		this.payload = expected;
		ScheduledFuture<?> expiry = this.timer.schedule(() -> this.outcome.complete(BarrierOutcome.TIMED_OUT), bound,
				TimeUnit.NANOSECONDS);
		this.outcome.whenCompleteAsync((result, ex) -> {
			expiry.cancel(false);
			if (result == BarrierOutcome.TIMED_OUT && logger.isDebugEnabled()) {
				logger.debug("WebSocket session " + connection.getId() + ": no Pong for the close barrier within "
						+ TimeUnit.NANOSECONDS.toMillis(bound) + " ms; closing all the same");
			}
			then.run();
		}, this.executor);
		try {
			connection.sendMessage(new PingMessage(expected.duplicate()));
		}
		catch (IOException | RuntimeException ex) {
			logger.debug("WebSocket session " + connection.getId() + ": failed to send the close barrier's Ping", ex);
			this.outcome.complete(BarrierOutcome.CONNECTION_ENDED);
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
		this.outcome.complete(BarrierOutcome.PASSED);
		return true;
	}

	/**
	 * Stop waiting: the connection has ended.
	 */
	void connectionEnded() {
		if (this.payload != null) {
			this.outcome.complete(BarrierOutcome.CONNECTION_ENDED);
		}
	}

	/**
	 * Return how the barrier ended.
	 * @return the outcome, {@link BarrierOutcome#SKIPPED} while no Ping was sent
	 */
	public BarrierOutcome getOutcome() {
		return this.outcome.getNow(BarrierOutcome.SKIPPED);
	}

	private static ByteBuffer newPayload() {
		ByteBuffer buffer = ByteBuffer.allocate(PAYLOAD_PREFIX.length + Long.BYTES);
		buffer.put(PAYLOAD_PREFIX).putLong(ThreadLocalRandom.current().nextLong()).flip();
		return buffer.asReadOnlyBuffer();
	}

}

package io.github.wsdrain.protocol;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What one side of a {@code wsdrain.v1} session receives (PROTOCOL.md §3): delivers data
 * frames once and in order, across connections. Frame {@code last + 1} is delivered; a
 * frame at or below {@code last} is a replay and dropped; a frame above {@code last + 1}
 * is a gap, a protocol error. The check and the delivery happen under one lock, so that
 * two connections of a session (a replaced one and its successor) never both deliver a
 * frame, and each delivers in the order it checked.
 */
public final class InboundSequence {

	private final Object lock = new Object();

	/** Written under the lock; read without it where a stale value is harmless. */
	private volatile long last;

	/** Set under the lock: no frame is delivered any more. */
	private boolean sealed;

	private final AtomicLong duplicates = new AtomicLong();

	/** Start before the first frame. */
	public InboundSequence() {
		this(0);
	}

	/**
	 * Start after frames delivered elsewhere: another process had the session before.
	 * @param delivered the sequence number of the last frame delivered
	 */
	public InboundSequence(long delivered) {
		this.last = delivered;
	}

	/**
	 * Deliver a data frame if it is the next one.
	 * @param frame the data frame
	 * @param delivery hands the frame on; called under the lock, it may block; returning
	 * {@code false} (the connection ended meanwhile) leaves the frame undelivered
	 * @param <E> what the delivery throws
	 * @return whether the frame was delivered; {@code false} for a replay
	 * @throws ProtocolViolationException for a gap (1002)
	 * @throws E if the delivery fails: the frame then counts as delivered
	 */
	public <E extends Exception> boolean deliver(Frame.Data frame, Delivery<E> delivery)
			throws ProtocolViolationException, E {
		synchronized (this.lock) {
			long seq = frame.seq();
			if (this.sealed) {
				// The session goes on elsewhere: the client sends this again there.
				return false;
			}
			if (seq > this.last + 1) {
				throw ProtocolViolationException.malformed("Gap in sequence: " + seq + " after " + this.last);
			}
			if (seq <= this.last) {
				this.duplicates.incrementAndGet();
				return false;
			}
			this.last = seq;
			if (!delivery.deliver(frame)) {
				this.last = seq - 1;
				return false;
			}
			return true;
		}
	}

	/**
	 * Deliver nothing more, once a delivery under way has returned: another process goes
	 * on with the session from what this one delivered.
	 * @return the sequence number of the last frame delivered
	 */
	public long seal() {
		synchronized (this.lock) {
			this.sealed = true;
			return this.last;
		}
	}

	/**
	 * Return the sequence number of the last frame delivered.
	 * @return the highest sequence number delivered, 0 before the first
	 */
	public long last() {
		return this.last;
	}

	/**
	 * Return how many frames were dropped as replays of frames already delivered.
	 * @return the duplicate count
	 */
	public long duplicates() {
		return this.duplicates.get();
	}

	/**
	 * Hands a data frame on.
	 * @param <E> what it throws
	 */
	@FunctionalInterface
	public interface Delivery<E extends Exception> {

		/**
		 * Deliver the frame.
		 * @param frame the data frame
		 * @return whether it was delivered
		 * @throws E if the delivery fails
		 */
		boolean deliver(Frame.Data frame) throws E;

	}

}

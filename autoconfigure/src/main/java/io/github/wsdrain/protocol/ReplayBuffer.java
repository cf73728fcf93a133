package io.github.wsdrain.protocol;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.WebSocketMessage;

/**
 * What one side of a {@code wsdrain.v1} session has sent and the other has not
 * acknowledged yet (PROTOCOL.md §3): numbered data frames, kept for a replay, released by
 * cumulative acknowledgements, bounded in bytes by its {@link ReplayCapacity}. Senders
 * wait for room; nothing is dropped. The server's resumable session and the client's
 * reliable connection each keep one.
 */
public final class ReplayBuffer {

	/** {@code m:} + 18 digits + {@code :}: room reserved for a header before its number is known. */
	private static final int MAX_HEADER_BYTES = 21;

	private final ReplayCapacity capacity;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	/** Replaced, not cleared, on release: a cleared deque keeps its grown array. */
	private ArrayDeque<Numbered> frames = new ArrayDeque<>();

	private long bytes;

	/** Bytes of every frame ever kept: each frame records where it ends, so a release reads two frames, not all. */
	private long keptBytes;

	/**
	 * Written under the lock, read without it: the send path reads it once per message, and
	 * taking the lock again there made senders wake the acknowledging thread waiting for it.
	 */
	private volatile long lastSent;

	/** Written under the lock, read without it. */
	private volatile long lastAcknowledged;

	/**
	 * Create an empty buffer.
	 * @param capacity the most bytes of data frames kept; a larger frame is still taken
	 * alone, rather than never
	 */
	public ReplayBuffer(long capacity) {
		this(ReplayCapacity.fixed(capacity));
	}

	/**
	 * Create an empty buffer.
	 * @param capacity how many bytes of data frames it keeps, fixed or adaptive; a larger
	 * frame is still taken alone, rather than never
	 */
	public ReplayBuffer(ReplayCapacity capacity) {
		this.capacity = capacity;
	}

	/**
	 * Wait until a message would fit, checking the admission at every wake-up.
	 * @param payloadLength the app message's size
	 * @param deadlineNanos when to stop waiting, on the {@link System#nanoTime()} clock
	 * @param admission throws when the sender must stop waiting (the session closed)
	 * @param <E> what the admission throws
	 * @return whether the message fits now; {@code false} if the deadline passed
	 * @throws E if the admission refuses
	 * @throws InterruptedException if interrupted while waiting
	 */
	public <E extends Exception> boolean awaitRoom(int payloadLength, long deadlineNanos, Admission<E> admission)
			throws E, InterruptedException {
		this.lock.lock();
		try {
			while (!this.capacity.admits(this.bytes, payloadLength + MAX_HEADER_BYTES)) {
				this.capacity.full();
				admission.check();
				long nanos = deadlineNanos - System.nanoTime();
				if (nanos <= 0) {
					return false;
				}
				this.changed.awaitNanos(nanos);
			}
			admission.check();
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Number the message and keep its data frame, if the admission lets it in and it fits.
	 * Calls must not overlap (the {@link OutboundStream}'s send lock orders them): the frame
	 * is built before the buffer's lock is taken, so that copying the payload never keeps
	 * an acknowledgement waiting for the lock, nor the sender waking it.
	 * @param message the app message
	 * @param admission checked under the buffer's lock, so that a close that finds the
	 * buffer empty never misses a message added at the same time
	 * @param <E> what the admission throws
	 * @return the data frame to write (a view: the buffer keeps its own), or {@code null}
	 * if another sender took the room first (wait again)
	 * @throws E if the admission refuses
	 */
	public <E extends Exception> @Nullable WebSocketMessage<?> add(WebSocketMessage<?> message, Admission<E> admission)
			throws E {
		long seq = this.lastSent + 1;
		WebSocketMessage<?> frame = FrameCodec.data(seq, message);
		this.lock.lock();
		try {
			Assert.state(seq == this.lastSent + 1, "Overlapping adds to a replay buffer");
			admission.check();
			if (!this.capacity.take(this.bytes, frame.getPayloadLength())) {
				return null;
			}
			this.lastSent = seq;
			keep(frame);
			this.capacity.sent(this.lastSent);
			return view(frame);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Start from where another process left the buffer, whatever its capacity: a restored
	 * session must replay all of it.
	 * @param acknowledged the peer's cumulative acknowledgement
	 * @param messages the app messages after it, in order
	 */
	public void restore(long acknowledged, List<WebSocketMessage<?>> messages) {
		this.lock.lock();
		try {
			this.lastAcknowledged = acknowledged;
			this.lastSent = acknowledged;
			for (WebSocketMessage<?> message : messages) {
				WebSocketMessage<?> frame = FrameCodec.data(this.lastSent + 1, message);
				this.lastSent = this.lastSent + 1;
				keep(frame);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Release every frame up to and including {@code seq}; a lower acknowledgement than an
	 * earlier one changes nothing.
	 * @param seq the peer's cumulative acknowledgement
	 * @return {@code false}, changing nothing, if {@code seq} was never sent
	 */
	public boolean acknowledge(long seq) {
		this.lock.lock();
		try {
			if (seq > this.lastSent) {
				return false;
			}
			long released = releaseUpTo(seq);
			this.bytes -= released;
			this.capacity.acknowledged(seq, released, this.bytes);
			this.lastAcknowledged = Math.max(this.lastAcknowledged, seq);
			this.changed.signalAll();
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Keep the frame numbered {@code lastSent}; call with the lock held. */
	private void keep(WebSocketMessage<?> frame) {
		int size = frame.getPayloadLength();
		this.keptBytes += size;
		this.frames.addLast(new Numbered(this.lastSent, frame, size, this.keptBytes));
		this.bytes += size;
	}

	/**
	 * Drop the frames up to and including {@code seq}; call with the lock held.
	 * @return the bytes they were counted with
	 */
	private long releaseUpTo(long seq) {
		Numbered first = this.frames.peekFirst();
		if (first == null || first.seq() > seq) {
			return 0;
		}
		// The frames kept are numbered one after another: an acknowledgement after a fast stream
		// releases thousands, and only the first and the last are read, not each one.
		long count = Math.min(seq - first.seq() + 1, this.frames.size());
		// Typed as Object: a cast of each frame would read each one.
		Object last = first;
		for (long i = 0; i < count; i++) {
			last = this.frames.pollFirst();
		}
		return ((Numbered) last).end() - (first.end() - first.bytes());
	}

	/**
	 * Wait until every frame is acknowledged.
	 * @param deadlineNanos when to stop waiting, on the {@link System#nanoTime()} clock
	 * @param stop whether to stop waiting anyway, checked at every wake-up
	 * @return whether the buffer is empty
	 * @throws InterruptedException if interrupted while waiting
	 */
	public boolean awaitEmpty(long deadlineNanos, BooleanSupplier stop) throws InterruptedException {
		this.lock.lock();
		try {
			while (!this.frames.isEmpty() && !stop.getAsBoolean()) {
				long nanos = deadlineNanos - System.nanoTime();
				if (nanos <= 0) {
					break;
				}
				this.changed.awaitNanos(nanos);
			}
			return this.frames.isEmpty();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Wake every waiting sender, so that it checks its admission again. */
	public void wake() {
		this.lock.lock();
		try {
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Return the frames to replay on a new connection, oldest first.
	 * @return views of the unacknowledged frames, to write or read as they are
	 */
	public List<WebSocketMessage<?>> unacknowledged() {
		return unacknowledged(Long.MAX_VALUE);
	}

	/**
	 * Return the unacknowledged frames up to a sequence number, oldest first.
	 * @param upTo the highest sequence number to include
	 * @return views of the frames, to write or read as they are
	 */
	public List<WebSocketMessage<?>> unacknowledged(long upTo) {
		return unacknowledged(0, upTo);
	}

	/**
	 * Return the unacknowledged frames in a range of sequence numbers, oldest first.
	 * @param after the sequence number before the first to include
	 * @param upTo the highest sequence number to include
	 * @return views of the frames, to write or read as they are
	 */
	public List<WebSocketMessage<?>> unacknowledged(long after, long upTo) {
		this.lock.lock();
		try {
			List<WebSocketMessage<?>> range = new ArrayList<>(
					(int) Math.min(this.frames.size(), Math.max(0, upTo - after)));
			Numbered oldest = this.frames.peekFirst();
			if (oldest != null && upTo - oldest.seq() < this.lastSent - after) {
				// Nearer the oldest: recorded frames while a fast sender numbers far ahead of the store.
				for (Numbered numbered : this.frames) {
					if (numbered.seq() > upTo) {
						break;
					}
					if (numbered.seq() > after) {
						range.add(view(numbered.frame()));
					}
				}
				return Collections.unmodifiableList(range);
			}
			// From the newest back: a range is usually the latest few frames of a long buffer.
			Iterator<Numbered> newestFirst = this.frames.descendingIterator();
			while (newestFirst.hasNext()) {
				Numbered numbered = newestFirst.next();
				if (numbered.seq() <= after) {
					break;
				}
				if (numbered.seq() <= upTo) {
					range.add(view(numbered.frame()));
				}
			}
			Collections.reverse(range);
			return Collections.unmodifiableList(range);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Return the bytes of the unacknowledged frames: more than the capacity when the buffer
	 * holds one frame larger than it, which an empty buffer still takes.
	 * @return the byte count
	 */
	public long bytes() {
		this.lock.lock();
		try {
			return this.bytes;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Drop every frame at once: the session is over and nothing will be replayed. The
	 * sequence numbers stay as they were.
	 */
	public void release() {
		this.lock.lock();
		try {
			this.frames = new ArrayDeque<>();
			this.bytes = 0;
			this.capacity.released(0);
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Return how many frames are unacknowledged.
	 * @return the frame count
	 */
	public int size() {
		this.lock.lock();
		try {
			return this.frames.size();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Return whether every frame sent is acknowledged.
	 * @return whether empty
	 */
	public boolean isEmpty() {
		return size() == 0;
	}

	/**
	 * Return the sequence number of the last frame sent.
	 * @return the highest sequence number, 0 before the first frame
	 */
	public long lastSent() {
		return this.lastSent;
	}

	/**
	 * Return the highest sequence number the peer acknowledged.
	 * @return the cumulative acknowledgement, 0 before the first
	 */
	public long lastAcknowledged() {
		return this.lastAcknowledged;
	}

	/**
	 * A connection went live: an adaptive capacity starts at its maximum, measured afresh.
	 */
	public void connected() {
		this.lock.lock();
		try {
			this.capacity.connected();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * The connection was lost: an adaptive capacity goes back to its base size.
	 */
	public void disconnected() {
		this.lock.lock();
		try {
			this.capacity.disconnected();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Return how many bytes the buffer may hold now.
	 * @return the capacity in bytes
	 */
	public long capacity() {
		this.lock.lock();
		try {
			return this.capacity.size();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * What leaves the buffer of a kept frame: a container may consume a binary frame's
	 * buffer as it writes it (Jetty does), and a replay needs every byte.
	 */
	private static WebSocketMessage<?> view(WebSocketMessage<?> frame) {
		return (frame instanceof BinaryMessage binary)
				? new BinaryMessage(binary.getPayload().duplicate(), binary.isLast()) : frame;
	}

	/**
	 * Whether a sender may go on: throws to refuse.
	 * @param <E> what it throws
	 */
	@FunctionalInterface
	public interface Admission<E extends Exception> {

		/**
		 * Refuse by throwing.
		 * @throws E to refuse
		 */
		void check() throws E;

	}

	/**
	 * {@code bytes} as counted when kept: what it releases, whatever a write did to the
	 * frame's buffer; {@code end}, the bytes kept up to and including it.
	 */
	private record Numbered(long seq, WebSocketMessage<?> frame, int bytes, long end) {
	}

}

package io.github.wsdrain.protocol;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.github.wsdrain.protocol.ReplayBuffer.Admission;
import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.WebSocketMessage;

/**
 * What one side of a {@code wsdrain.v1} session sends (PROTOCOL.md §3, §4): numbers each
 * message, keeps it in a {@link ReplayBuffer} until the peer acknowledges it, waits for
 * room when the buffer is full, and writes it to the live connection, if any. A new
 * connection gets its opening frames, then the replay, then the live stream: one lock,
 * held from numbering a frame until it is written, keeps the wire in sequence order.
 * With a {@link Recorder}, a frame is written only once recorded, so that a store that
 * outlives this process never lacks a frame the peer has seen.
 * The server's resumable session and the client's reliable connection each have one.
 */
public final class OutboundStream {

	private final ReentrantLock sendLock;

	private final ReplayBuffer replay;

	private final AtomicReference<@Nullable FrameSink> live = new AtomicReference<>();

	private final Recorder recorder;

	/** The highest sequence number recorded, so that it may be written; guarded by the send lock. */
	private long recorded;

	/**
	 * Create a stream with an empty replay buffer.
	 * @param capacity the most bytes kept unacknowledged
	 * @param fair whether senders get the lock in arrival order (a client's few threads)
	 * rather than fastest (a server's many)
	 */
	public OutboundStream(long capacity, boolean fair) {
		this(ReplayCapacity.fixed(capacity), fair);
	}

	/**
	 * Create a stream with an empty replay buffer.
	 * @param capacity how many bytes it keeps unacknowledged, fixed or adaptive
	 * @param fair whether senders get the lock in arrival order (a client's few threads)
	 * rather than fastest (a server's many)
	 */
	public OutboundStream(ReplayCapacity capacity, boolean fair) {
		this(capacity, fair, Recorder.NONE);
	}

	/**
	 * Create a stream with an empty replay buffer whose frames are recorded before they
	 * are written: each waits until {@link #recorded(long)} covers it.
	 * @param capacity how many bytes it keeps unacknowledged, fixed or adaptive
	 * @param fair whether senders get the lock in arrival order
	 * @param recorder told of each message as it is numbered
	 */
	public OutboundStream(ReplayCapacity capacity, boolean fair, Recorder recorder) {
		this.sendLock = new ReentrantLock(fair);
		this.replay = new ReplayBuffer(capacity);
		this.recorder = recorder;
	}

	/**
	 * Number the message, keep it and write it to the live connection; with none, it
	 * waits in the replay buffer for the next one. Waits while the buffer is full.
	 * @param message the app message, text or binary
	 * @param timeout how long to wait for room, from the first wait
	 * @param admission whether the sender may go on, checked under the buffer's lock and
	 * at every wake-up
	 * @param <E> what the admission throws
	 * @return {@code false} if there was no room within the timeout: nothing was kept
	 * @throws E if the admission refuses
	 * @throws InterruptedException if interrupted while waiting for room
	 */
	public <E extends Exception> boolean send(WebSocketMessage<?> message, Duration timeout, Admission<E> admission)
			throws E, InterruptedException {
		long deadline = 0;
		while (true) {
			this.sendLock.lock();
			try {
				WebSocketMessage<?> frame = this.replay.add(message, admission);
				if (frame != null) {
					if (this.recorder != Recorder.NONE) {
						this.recorder.record(this.replay.lastSent(), message);
						return true;
					}
					FrameSink sink = this.live.get();
					if (sink != null) {
						sink.write(frame);
					}
					return true;
				}
			}
			finally {
				this.sendLock.unlock();
			}
			// Full: wait without the send lock, which an attach needs for the replay that, with
			// the acknowledgements after it, makes room. The clock starts at the first wait.
			deadline = (deadline != 0) ? deadline : System.nanoTime() + timeout.toNanos();
			if (!this.replay.awaitRoom(message.getPayloadLength(), deadline, admission)) {
				return false;
			}
		}
	}

	/**
	 * Take a new connection: write its opening frames, replay every unacknowledged frame
	 * (with a recorder, every one recorded so far), then send the live stream to it. No
	 * live frame can overtake the replay.
	 * @param sink the new connection
	 * @param opening writes the frames that come first; {@code false} abandons the attach
	 * @param goLive decides, once the replay is written, whether live frames follow
	 * @return whether the connection is live now; {@code false} if a callback said no or
	 * a write failed (the connection's end reports it)
	 */
	public boolean attach(FrameSink sink, BooleanSupplier opening, BooleanSupplier goLive) {
		this.sendLock.lock();
		try {
			if (!opening.getAsBoolean()) {
				return false;
			}
			long upTo = (this.recorder != Recorder.NONE) ? this.recorded : Long.MAX_VALUE;
			for (WebSocketMessage<?> frame : this.replay.unacknowledged(upTo)) {
				if (!sink.write(frame)) {
					return false;
				}
			}
			if (!goLive.getAsBoolean()) {
				return false;
			}
			// A new path: its round trips are measured from the start.
			this.replay.connected();
			this.live.set(sink);
			return true;
		}
		finally {
			this.sendLock.unlock();
		}
	}

	/**
	 * The recorder has recorded every message up to a sequence number: write those not
	 * written yet to the live connection, in order.
	 * @param seq the highest sequence number recorded
	 */
	public void recorded(long seq) {
		this.sendLock.lock();
		try {
			long after = this.recorded;
			if (seq <= after) {
				return;
			}
			this.recorded = seq;
			FrameSink sink = this.live.get();
			if (sink != null) {
				for (WebSocketMessage<?> frame : this.replay.unacknowledged(after, seq)) {
					if (!sink.write(frame)) {
						return;
					}
				}
			}
		}
		finally {
			this.sendLock.unlock();
		}
	}

	/**
	 * Stop writing to a connection, if it is the live one.
	 * @param sink the connection that ended
	 */
	public void detach(FrameSink sink) {
		if (this.live.compareAndSet(sink, null)) {
			this.replay.disconnected();
		}
	}

	/**
	 * Stop writing to whichever connection is live. Without one, the replay buffer's
	 * capacity is back at its base size: a session whose client is away holds no more.
	 */
	public void detach() {
		this.live.set(null);
		this.replay.disconnected();
	}

	/**
	 * Return whether a connection is live.
	 * @return whether sends are written now
	 */
	public boolean isLive() {
		return this.live.get() != null;
	}

	/**
	 * Write a frame that is not numbered (an acknowledgement) to the live connection,
	 * under the send lock: on a new connection it follows the opening frames.
	 * @param frame made under the lock; {@code null} writes nothing
	 */
	public void writeUnnumbered(Supplier<@Nullable WebSocketMessage<?>> frame) {
		this.sendLock.lock();
		try {
			FrameSink sink = this.live.get();
			if (sink != null) {
				WebSocketMessage<?> made = frame.get();
				if (made != null) {
					sink.write(made);
				}
			}
		}
		finally {
			this.sendLock.unlock();
		}
	}

	/**
	 * Write a frame that is not numbered, unless a sender holds the send lock: then the
	 * connection is not silent anyway.
	 * @param frame made under the lock; {@code null} writes nothing
	 * @return whether the lock was free
	 */
	public boolean tryWriteUnnumbered(Supplier<@Nullable WebSocketMessage<?>> frame) {
		if (!this.sendLock.tryLock()) {
			return false;
		}
		try {
			FrameSink sink = this.live.get();
			if (sink != null) {
				WebSocketMessage<?> made = frame.get();
				if (made != null) {
					sink.write(made);
				}
			}
			return true;
		}
		finally {
			this.sendLock.unlock();
		}
	}

	/**
	 * Release every frame up to and including {@code seq}, the peer's cumulative
	 * acknowledgement.
	 * @param seq the acknowledged sequence number
	 * @throws ProtocolViolationException if {@code seq} was never sent (1008)
	 */
	public void acknowledge(long seq) throws ProtocolViolationException {
		if (!this.replay.acknowledge(seq)) {
			throw ProtocolViolationException.policy("Acknowledged a message never sent");
		}
	}

	/**
	 * Wait until the peer has acknowledged every frame.
	 * @param timeout how long to wait
	 * @param stop whether to stop waiting anyway, checked at every wake-up
	 * @return whether every frame is acknowledged
	 * @throws InterruptedException if interrupted while waiting
	 */
	public boolean awaitAllAcknowledged(Duration timeout, BooleanSupplier stop) throws InterruptedException {
		return this.replay.awaitEmpty(System.nanoTime() + timeout.toNanos(), stop);
	}

	/** Wake every waiting sender, so that it checks its admission again. */
	public void wake() {
		this.replay.wake();
	}

	/**
	 * Return how many frames the peer has not acknowledged.
	 * @return the frame count
	 */
	public int unacknowledged() {
		return this.replay.size();
	}

	/**
	 * Return the bytes of the unacknowledged frames.
	 * @return the byte count
	 */
	public long bytes() {
		return this.replay.bytes();
	}

	/**
	 * Return how many bytes the replay buffer may hold now.
	 * @return the capacity in bytes
	 */
	public long capacity() {
		return this.replay.capacity();
	}

	/**
	 * Drop every kept frame at once: the session is over and nothing will be replayed.
	 */
	public void release() {
		this.replay.release();
	}

	/**
	 * Start from where another process left the stream: {@code acknowledged} is the peer's
	 * acknowledgement, the messages follow it, numbered from {@code acknowledged + 1}.
	 * Call before the stream is used.
	 * @param acknowledged the peer's cumulative acknowledgement
	 * @param messages the app messages it has not acknowledged, in order
	 */
	public void restore(long acknowledged, List<WebSocketMessage<?>> messages) {
		this.replay.restore(acknowledged, messages);
		// They came from the store.
		this.recorded = this.replay.lastSent();
	}

	/**
	 * Records each message as it is numbered, in a store that outlives this process; its
	 * frame waits for {@link OutboundStream#recorded(long)}.
	 */
	@FunctionalInterface
	public interface Recorder {

		/** Records nothing: the process's memory is the only copy, frames are written at once. */
		Recorder NONE = (seq, message) -> {
		};

		/**
		 * Take one message to record; called under the send lock, so it must not wait.
		 * @param seq its sequence number
		 * @param message the app message
		 */
		void record(long seq, WebSocketMessage<?> message);

	}

	/**
	 * Return the sequence number of the last frame sent.
	 * @return the highest sequence number, 0 before the first frame
	 */
	public long lastSent() {
		return this.replay.lastSent();
	}

	/**
	 * Return the highest sequence number the peer acknowledged.
	 * @return the cumulative acknowledgement, 0 before the first
	 */
	public long lastAcknowledged() {
		return this.replay.lastAcknowledged();
	}

}

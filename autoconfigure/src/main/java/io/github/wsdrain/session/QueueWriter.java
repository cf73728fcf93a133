package io.github.wsdrain.session;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * Writes a {@link SendQueue} to the container's session, one thread at a time. A sender
 * that finds no writer at work writes the queue out itself, as Spring's
 * {@code ConcurrentWebSocketSessionDecorator} does, so a lone message pays no thread
 * hand-off. A sender that sends again right after the previous write ended (a loop of
 * sends) hands the writing to the executor and returns: it queues while that thread
 * writes, and the writer finds several messages queued, which it hands to the container
 * as one write where the container allows it ({@link ContainerWrites}). A hand-off in
 * which every message still went out alone shows a sender that waits for its peer between
 * two sends, however briefly: its next 256 sends (twice as many after each such hand-off in
 * a row, at most 4,096) are written on its own thread. A sender that finds more than half
 * the send buffer queued behind the executor's thread waits for it, as it would have
 * waited for its own write: one sender never overflows the buffer.
 * <p>
 * It knows when the write in progress started and how many bytes it carries, so that a
 * watchdog can end a session whose peer holds a write past the send time limit. Its write
 * lock and batch are created by the first write: an idle session holds neither.
 */
final class QueueWriter {

	/**
	 * A send that starts this soon after the previous write ended comes from a loop of
	 * sends: far below the round trip of a sender that waits for anything between two
	 * messages, far above the few hundred nanoseconds between two sends of a loop.
	 */
	static final long STREAMING_GAP_NANOS = 1_000;

	/**
	 * The largest message handed to the executor's thread: batching gains nothing unless
	 * several messages fit in one write.
	 */
	static final int MAX_HANDED_OFF_BYTES = SendQueue.MAX_BATCH_BYTES / 4;

	/**
	 * Sends written on the sender's thread after a hand-off in which every message went out
	 * alone: a hand-off would only add a thread's wake-up to each message of that sender.
	 */
	static final int INLINE_SENDS_AFTER_LONE_HAND_OFF = 256;

	/** The most sends written on the sender's thread before the next hand-off is tried. */
	static final int MAX_INLINE_SENDS = 16 * INLINE_SENDS_AFTER_LONE_HAND_OFF;

	private static final AtomicIntegerFieldUpdater<QueueWriter> HANDED_OFF = AtomicIntegerFieldUpdater
		.newUpdater(QueueWriter.class, "handedOff");

	private static final AtomicReferenceFieldUpdater<QueueWriter, ReentrantLock> WRITE_LOCK = AtomicReferenceFieldUpdater
		.newUpdater(QueueWriter.class, ReentrantLock.class, "writeLock");

	private final SendQueue queue;

	private final WebSocketSession target;

	private final SendTotals totals;

	/** Told how many messages a failed write lost: those of the write and the rest of its batch. */
	private final DrainingWebSocketSession session;

	/** Runs the writing handed off by a sender in a loop of sends. */
	private final Executor executor;

	/** 1 from a hand-off to the executor until its thread has written the queue out. */
	private volatile int handedOff;

	/** Sends still to be written on the sender's thread before the next hand-off: a hint, racy on purpose. */
	private int inlineSends;

	/** What {@link #inlineSends} starts from after the next hand-off in which every message went out alone. */
	private int nextInlineSends = INLINE_SENDS_AFTER_LONE_HAND_OFF;

	/** {@link #STREAMING_GAP_NANOS}, unless a test on a slow machine widens it. */
	private long streamingGapNanos = STREAMING_GAP_NANOS;

	/** When the last write of messages ended: a hint, written by whichever thread wrote, without ordering. */
	private long lastWriteEndedNanos = System.nanoTime() - STREAMING_GAP_NANOS;

	/** Held by the one thread that writes to the container at a time; see {@link #writeLock()}. */
	private volatile @Nullable ReentrantLock writeLock;

	/** The writer's batch, only touched under the write lock. */
	private WebSocketMessage<?> @Nullable [] batch;

	/** When the write of messages in progress started, 0 when none is. */
	private volatile long writeStartedNanos;

	/** The payload bytes of the write in progress. */
	private volatile long writeBytes;

	/** When the control write in progress (close barrier Ping, close frame) started, 0 when none is. */
	private volatile long controlStartedNanos;

	private volatile long sentMessages;

	private volatile long sentBytes;

	QueueWriter(SendQueue queue, WebSocketSession target, SendTotals totals, DrainingWebSocketSession session,
			Executor executor) {
		this.queue = queue;
		this.target = target;
		this.totals = totals;
		this.session = session;
		this.executor = executor;
	}

	/**
	 * Have the queue written after a sender admitted a message: write it out on this
	 * thread, leave it to the writer at work, or hand it to the executor when the sender
	 * is in a loop of sends (see the class description).
	 * @param size the payload bytes of the message admitted
	 * @throws IOException if the container failed to write a message on this thread
	 */
	void send(int size) throws IOException {
		if (this.handedOff != 0) {
			if (this.queue.bytes() > handOffWindowBytes()) {
				awaitHandedOffWriter();
			}
			return;
		}
		if (this.inlineSends > 0) {
			this.inlineSends--;
		}
		else if (size <= MAX_HANDED_OFF_BYTES && !isWriting()
				&& System.nanoTime() - this.lastWriteEndedNanos < this.streamingGapNanos
				&& this.queue.bytes() <= handOffWindowBytes()) {
			handOff();
			return;
		}
		flush();
	}

	/**
	 * Widen the gap that tells a loop of sends: a test of the hand-off must not depend on
	 * how fast the machine runs two sends in a row (uncompiled, on a busy machine, they can
	 * be microseconds apart). Call before the first send.
	 * @param nanos the most time between the end of a write and the next send of a loop
	 */
	void setStreamingGapNanos(long nanos) {
		this.streamingGapNanos = nanos;
	}

	/** Return the write lock, created on first use: threads that race to create it all get the one that won. */
	private ReentrantLock writeLock() {
		ReentrantLock lock = this.writeLock;
		return (lock != null) ? lock
				: WRITE_LOCK.updateAndGet(this, (current) -> (current != null) ? current : new ReentrantLock());
	}

	/** Return whether a thread is writing to the container now. */
	private boolean isWriting() {
		ReentrantLock lock = this.writeLock;
		return lock != null && lock.isLocked();
	}

	/** Half the send buffer: with at most that queued before its message, one sender's next message fits. */
	private long handOffWindowBytes() {
		return this.queue.capacityBytes() / 2;
	}

	private void handOff() throws IOException {
		if (!HANDED_OFF.compareAndSet(this, 0, 1)) {
			// Another sender handed off just now: its writer takes this message too.
			return;
		}
		try {
			this.executor.execute(this::writeHandedOff);
		}
		catch (RejectedExecutionException ex) {
			// Stopped threads: the sender writes, as it would without them.
			this.handedOff = 0;
			flush();
		}
	}

	/** Run by the executor: write until the queue is empty, then hand back to the senders. */
	private void writeHandedOff() {
		int largestBatch = 0;
		do {
			try {
				while (!this.queue.isEmpty() && writeLock().tryLock()) {
					try {
						largestBatch = Math.max(largestBatch, writeQueue());
					}
					finally {
						writeLock().unlock();
					}
				}
			}
			catch (IOException ex) {
				// writeFailed counted the loss; the senders learn of the failure at their next
				// write or from the close result.
			}
			finally {
				this.handedOff = 0;
			}
			// A sender that saw the hand-off before it ended left its message for this thread.
		}
		while (!this.queue.isEmpty() && !isWriting() && HANDED_OFF.compareAndSet(this, 0, 1));
		if (largestBatch == 1) {
			this.inlineSends = this.nextInlineSends;
			this.nextInlineSends = Math.min(this.nextInlineSends * 2, MAX_INLINE_SENDS);
		}
		else if (largestBatch > 1) {
			this.nextInlineSends = INLINE_SENDS_AFTER_LONE_HAND_OFF;
		}
	}

	/**
	 * More than half the send buffer is queued behind the executor's writer: wait for it,
	 * no longer than the send time limit (past that the write watchdog ends the session),
	 * then write what is left, as the sender's own write would have made it wait.
	 */
	private void awaitHandedOffWriter() throws IOException {
		boolean locked;
		try {
			locked = writeLock().tryLock(this.session.getSettings().sendTimeLimit().toNanos(),
					TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			// The message is queued; the writer at work takes it.
			Thread.currentThread().interrupt();
			return;
		}
		if (!locked) {
			return;
		}
		try {
			writeQueue();
		}
		finally {
			writeLock().unlock();
		}
		flush();
	}

	/**
	 * Write the queue out unless another thread is doing so; return when the queue is
	 * empty or another thread has taken over.
	 * @throws IOException if the container failed to write a message
	 */
	void flush() throws IOException {
		while (!this.queue.isEmpty() && writeLock().tryLock()) {
			try {
				writeQueue();
			}
			finally {
				writeLock().unlock();
			}
		}
	}

	/**
	 * Wait for the writer at work, if any, then write the queue out.
	 * @param deadlineNanos when to give up waiting for the writer at work, in
	 * {@link System#nanoTime()} terms
	 * @return {@code false} if the writer at work did not finish by the deadline
	 * @throws IOException if the container failed to write a message
	 * @throws InterruptedException if interrupted while waiting for the writer at work
	 */
	boolean drain(long deadlineNanos) throws IOException, InterruptedException {
		if (!writeLock().tryLock(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS)) {
			return false;
		}
		try {
			writeQueue();
			return true;
		}
		finally {
			writeLock().unlock();
		}
	}

	/**
	 * Return whether nothing is left to write and no writer is at work, once the queue
	 * admits nothing more: a close can then go ahead on the calling thread.
	 * @return {@code true} when the queue is empty and no write is in progress
	 */
	boolean isDrained() {
		if (!writeLock().tryLock()) {
			return false;
		}
		try {
			return this.queue.isEmpty();
		}
		finally {
			writeLock().unlock();
		}
	}

	/**
	 * Run a write of the close sequence (the close barrier's Ping, the close frame) so
	 * that the watchdog sees it.
	 * @param write the write
	 */
	void controlWrite(Runnable write) {
		boolean first = this.controlStartedNanos == 0;
		if (first) {
			this.controlStartedNanos = System.nanoTime();
		}
		try {
			write.run();
		}
		finally {
			if (first) {
				this.controlStartedNanos = 0;
			}
		}
	}

	/**
	 * Write batches until the queue is empty; the caller holds the write lock.
	 * @return the most messages written together, 0 if none
	 */
	private int writeQueue() throws IOException {
		WebSocketMessage<?>[] batch = this.batch;
		if (batch == null) {
			batch = new WebSocketMessage<?>[SendQueue.MAX_BATCH_MESSAGES];
			this.batch = batch;
		}
		int count;
		int largest = 0;
		while ((count = this.queue.takeBatch(batch)) > 0) {
			largest = Math.max(largest, count);
			boolean complete = (count > 1) ? writeTogether(batch, count) : writeOneByOne(batch, count);
			if (!complete) {
				// A drain timeout, a write timeout or the end of the connection took (and
				// counted) the rest.
				Arrays.fill(batch, 0, count, null);
				break;
			}
		}
		return largest;
	}

	private boolean writeOneByOne(WebSocketMessage<?>[] batch, int count) throws IOException {
		for (int i = 0; i < count; i++) {
			WebSocketMessage<?> message = batch[i];
			batch[i] = null;
			if (!this.queue.claimNext()) {
				return false;
			}
			int size = message.getPayloadLength();
			startWrite(size);
			try {
				this.target.sendMessage(message);
			}
			catch (IOException | RuntimeException ex) {
				Arrays.fill(batch, null);
				this.session.writeFailed(1 + this.queue.abandonBatch());
				throw writeFailure(ex);
			}
			finally {
				endWrite();
			}
			recordSent(1, size);
		}
		return true;
	}

	/** Hand the batch to the container as one write, flushed at its end; one by one where it cannot. */
	private boolean writeTogether(WebSocketMessage<?>[] batch, int count) throws IOException {
		ContainerWrites.Batch together;
		try {
			together = ContainerWrites.startBatch(this.target);
		}
		catch (IOException | RuntimeException ex) {
			Arrays.fill(batch, null);
			this.session.writeFailed(this.queue.abandonBatch());
			throw writeFailure(ex);
		}
		if (together == null) {
			return writeOneByOne(batch, count);
		}
		int added = 0;
		long bytes = 0;
		startWrite(0);
		try {
			while (added < count && this.queue.claimNext()) {
				WebSocketMessage<?> message = batch[added];
				batch[added] = null;
				bytes += message.getPayloadLength();
				this.writeBytes = bytes;
				// Counted before the container has it: if it throws, this message is lost too.
				added++;
				together.add(message);
			}
			together.flush();
		}
		catch (IOException | RuntimeException ex) {
			together.abandon();
			Arrays.fill(batch, null);
			this.session.writeFailed(added + this.queue.abandonBatch());
			throw writeFailure(ex);
		}
		finally {
			endWrite();
		}
		recordSent(added, bytes);
		return added == count;
	}

	/**
	 * A write failed, and its losses are counted: to the sender that is an {@code IOException},
	 * also when the container reports a connection it already closed with an
	 * {@code IllegalStateException} (Tomcat).
	 */
	private static IOException writeFailure(Exception ex) {
		return (ex instanceof IOException io) ? io : new IOException("WebSocket write failed: " + ex.getMessage(), ex);
	}

	private void startWrite(long bytes) {
		this.writeBytes = bytes;
		this.writeStartedNanos = System.nanoTime();
	}

	private void endWrite() {
		this.writeStartedNanos = 0;
		this.writeBytes = 0;
		this.lastWriteEndedNanos = System.nanoTime();
	}

	private void recordSent(int messages, long bytes) {
		this.sentMessages += messages;
		this.sentBytes += bytes;
		this.totals.recordSent(messages, bytes);
	}

	/**
	 * Return how long the write in progress (messages, or a write of the close sequence)
	 * has taken.
	 * @return the time in nanoseconds, 0 when no write is in progress
	 */
	long getWriteTimeNanos() {
		long now = System.nanoTime();
		long started = this.writeStartedNanos;
		long control = this.controlStartedNanos;
		long write = (started != 0) ? now - started : 0;
		return Math.max(write, (control != 0) ? now - control : 0);
	}

	/**
	 * Return how long the write in progress has taken.
	 * @return the time in milliseconds, 0 when no write is in progress
	 */
	long getTimeSinceWriteStarted() {
		return TimeUnit.NANOSECONDS.toMillis(getWriteTimeNanos());
	}

	/**
	 * Return the payload bytes of the write of messages in progress.
	 * @return the byte count, 0 when no such write is in progress
	 */
	long getWriteBytes() {
		return this.writeBytes;
	}

	long getSentMessages() {
		return this.sentMessages;
	}

	long getSentBytes() {
		return this.sentBytes;
	}

}

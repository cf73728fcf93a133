package io.github.wsdrain.session;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * Writes a {@link SendQueue} to the container's session, one thread at a time: whichever
 * sender finds no writer at work writes the queue out, as Spring's
 * {@code ConcurrentWebSocketSessionDecorator} does, so a single sender pays no thread
 * hand-off. When it finds two or more messages queued it hands them to the container as
 * one write where the container allows it ({@link ContainerWrites}); a lone message goes
 * out at once.
 * <p>
 * It knows when the write in progress started and how many bytes it carries, so that a
 * watchdog can end a session whose peer holds a write past the send time limit.
 */
final class QueueWriter {

	private final SendQueue queue;

	private final WebSocketSession target;

	private final SendTotals totals;

	/** Told how many messages a failed write lost: those of the write and the rest of its batch. */
	private final DrainingWebSocketSession session;

	/** Held by the one thread that writes to the container at a time. */
	private final ReentrantLock writeLock = new ReentrantLock();

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

	QueueWriter(SendQueue queue, WebSocketSession target, SendTotals totals, DrainingWebSocketSession session) {
		this.queue = queue;
		this.target = target;
		this.totals = totals;
		this.session = session;
	}

	/**
	 * Write the queue out unless another thread is doing so; return when the queue is
	 * empty or another thread has taken over.
	 * @throws IOException if the container failed to write a message
	 */
	void flush() throws IOException {
		while (!this.queue.isEmpty() && this.writeLock.tryLock()) {
			try {
				writeQueue();
			}
			finally {
				this.writeLock.unlock();
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
		if (!this.writeLock.tryLock(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS)) {
			return false;
		}
		try {
			writeQueue();
			return true;
		}
		finally {
			this.writeLock.unlock();
		}
	}

	/**
	 * Return whether nothing is left to write and no writer is at work, once the queue
	 * admits nothing more: a close can then go ahead on the calling thread.
	 * @return {@code true} when the queue is empty and no write is in progress
	 */
	boolean isDrained() {
		if (!this.writeLock.tryLock()) {
			return false;
		}
		try {
			return this.queue.isEmpty();
		}
		finally {
			this.writeLock.unlock();
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

	/** Write batches until the queue is empty; the caller holds the write lock. */
	private void writeQueue() throws IOException {
		WebSocketMessage<?>[] batch = this.batch;
		if (batch == null) {
			batch = new WebSocketMessage<?>[SendQueue.MAX_BATCH_MESSAGES];
			this.batch = batch;
		}
		int count;
		while ((count = this.queue.takeBatch(batch)) > 0) {
			boolean complete = (count > 1) ? writeTogether(batch, count) : writeOneByOne(batch, count);
			if (!complete) {
				// A drain timeout, a write timeout or the end of the connection took (and
				// counted) the rest.
				Arrays.fill(batch, 0, count, null);
				return;
			}
		}
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

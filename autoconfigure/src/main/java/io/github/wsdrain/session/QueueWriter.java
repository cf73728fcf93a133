package io.github.wsdrain.session;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * Writes a {@link SendQueue} to the container's session, one thread at a time: whichever
 * sender finds no writer at work writes the queue out, as Spring's
 * {@code ConcurrentWebSocketSessionDecorator} does, so a single sender pays no thread
 * hand-off.
 */
final class QueueWriter {

	private final SendQueue queue;

	private final WebSocketSession target;

	private final SendTotals totals;

	/** Told how many messages a failed write lost: the one written and the rest of its batch. */
	private final LongConsumer sendFailures;

	/** Held by the one thread that writes to the container at a time. */
	private final ReentrantLock writeLock = new ReentrantLock();

	/** The writer's batch, only touched under the write lock. */
	private WebSocketMessage<?> @Nullable [] batch;

	private volatile long writeStartedNanos;

	private volatile long sentMessages;

	private volatile long sentBytes;

	QueueWriter(SendQueue queue, WebSocketSession target, SendTotals totals, LongConsumer sendFailures) {
		this.queue = queue;
		this.target = target;
		this.totals = totals;
		this.sendFailures = sendFailures;
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

	/** Write batches until the queue is empty; the caller holds the write lock. */
	private void writeQueue() throws IOException {
		WebSocketMessage<?>[] batch = this.batch;
		if (batch == null) {
			batch = new WebSocketMessage<?>[SendQueue.MAX_BATCH_MESSAGES];
			this.batch = batch;
		}
		int count;
		while ((count = this.queue.takeBatch(batch)) > 0) {
			for (int i = 0; i < count; i++) {
				WebSocketMessage<?> message = batch[i];
				batch[i] = null;
				if (!this.queue.claimNext()) {
					// A drain timeout or the end of the connection took (and counted) the rest.
					Arrays.fill(batch, 0, count, null);
					return;
				}
				write(message, batch);
			}
		}
	}

	private void write(WebSocketMessage<?> message, WebSocketMessage<?>[] batch) throws IOException {
		this.writeStartedNanos = System.nanoTime();
		try {
			this.target.sendMessage(message);
		}
		catch (IOException | RuntimeException ex) {
			Arrays.fill(batch, null);
			this.sendFailures.accept(1 + this.queue.abandonBatch());
			throw ex;
		}
		finally {
			this.writeStartedNanos = 0;
		}
		this.sentMessages++;
		this.sentBytes += message.getPayloadLength();
		this.totals.recordSent(message.getPayloadLength());
	}

	/**
	 * Return how long the write in progress has taken.
	 * @return the time in milliseconds, 0 when no write is in progress
	 */
	long getTimeSinceWriteStarted() {
		long started = this.writeStartedNanos;
		return (started != 0) ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) : 0;
	}

	long getSentMessages() {
		return this.sentMessages;
	}

	long getSentBytes() {
		return this.sentBytes;
	}

}

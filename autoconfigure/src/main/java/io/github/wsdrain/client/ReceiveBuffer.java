package io.github.wsdrain.client;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.WebSocketMessage;

/**
 * The bounded buffer of one connection's received messages: the container's reading
 * thread offers, the consumer takes, oldest first; once the connection has ended and
 * the buffer is drained, a take throws the end. What happens when it is full is the
 * {@link ReceiveOverflowPolicy}'s.
 */
final class ReceiveBuffer {

	/**
	 * How many times a consumer that finds the buffer empty yields its core before it
	 * parks. A consumer faster than the connection finds the buffer empty after most
	 * messages; if it parked each time, the reading thread would have to wake it for each.
	 */
	static final int EMPTY_YIELDS = 20;

	private final int maxMessages;

	private final long maxBytes;

	private final ReceiveOverflowPolicy overflowPolicy;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition notEmpty = this.lock.newCondition();

	private final Condition notFull = this.lock.newCondition();

	private final ArrayDeque<Received> messages = new ArrayDeque<>();

	private long bytes;

	/** The buffered message count, written under the lock, read without it by a consumer about to wait. */
	private volatile int buffered;

	private int peakMessages;

	private long peakBytes;

	private long droppedMessages;

	private long receivedMessages;

	/** Whether a close started: a reader waiting for room goes on, to read the close reply. */
	private boolean closing;

	/** Whether connect() has returned the connection: from then on a full buffer may hold the reader. */
	private boolean mayBlock;

	private @Nullable ConnectionClosedException end;

	ReceiveBuffer(int maxMessages, long maxBytes, ReceiveOverflowPolicy overflowPolicy) {
		this.maxMessages = maxMessages;
		this.maxBytes = maxBytes;
		this.overflowPolicy = overflowPolicy;
	}

	/**
	 * Take the oldest message, waiting up to the timeout.
	 * @throws ConnectionClosedException when drained and ended
	 * @throws ReceiveTimeoutException when nothing arrived in time
	 */
	Received take(Duration timeout) throws InterruptedException {
		long nanos = timeout.toNanos();
		for (int i = 0; nanos > 0 && i < EMPTY_YIELDS && this.buffered == 0; i++) {
			Thread.yield();
		}
		this.lock.lockInterruptibly();
		try {
			while (this.messages.isEmpty()) {
				if (this.end != null) {
					throw this.end;
				}
				if (nanos <= 0) {
					throw new ReceiveTimeoutException(timeout);
				}
				nanos = this.notEmpty.awaitNanos(nanos);
			}
			Received next = this.messages.pollFirst();
			this.buffered = this.messages.size();
			this.bytes -= next.bytes();
			this.notFull.signal();
			return next;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Buffer a received message, on the container's reading thread.
	 * @param message the message
	 * @param size its size in bytes
	 * @param seq its sequence number on a reliable connection, else 0
	 * @return what became of it
	 */
	Offer offer(WebSocketMessage<?> message, long size, long seq) {
		this.lock.lock();
		try {
			this.receivedMessages++;
			while (this.end == null && !fits(size)) {
				switch (this.overflowPolicy) {
					case BLOCK -> {
						if (this.closing) {
							return drop();
						}
						if (!this.mayBlock) {
							// The container may be delivering on the thread that completes the
							// handshake: holding it would stall connect(). Accept beyond the bound.
							return add(message, size, seq);
						}
						try {
							// Holding the container's reading thread stops reading: TCP pushes back.
							this.notFull.await();
						}
						catch (InterruptedException ex) {
							Thread.currentThread().interrupt();
							return drop();
						}
					}
					case DROP_OLDEST -> {
						Received oldest = this.messages.pollFirst();
						this.buffered = this.messages.size();
						this.bytes -= oldest.bytes();
						this.droppedMessages++;
					}
					case DROP_NEWEST -> {
						return drop();
					}
					case FAIL -> {
						drop();
						return Offer.OVERFLOW;
					}
				}
			}
			if (this.end != null) {
				// Ended, perhaps while this thread waited for room: too late to be received.
				return drop();
			}
			return add(message, size, seq);
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Call with the lock held. */
	private boolean fits(long size) {
		return this.messages.size() < this.maxMessages && this.bytes + size <= this.maxBytes;
	}

	/** Call with the lock held. */
	private Offer add(WebSocketMessage<?> message, long size, long seq) {
		this.messages.addLast(new Received(message, size, seq));
		this.buffered = this.messages.size();
		this.bytes += size;
		this.peakMessages = Math.max(this.peakMessages, this.messages.size());
		this.peakBytes = Math.max(this.peakBytes, this.bytes);
		this.notEmpty.signal();
		return Offer.BUFFERED;
	}

	/** Call with the lock held. */
	private Offer drop() {
		this.droppedMessages++;
		return Offer.DROPPED;
	}

	/** connect() returned the connection: a full buffer may hold the reading thread now. */
	void allowBlocking() {
		this.lock.lock();
		try {
			this.mayBlock = true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * A close started: a reader waiting for room must go on reading to see the reply.
	 * @return whether the connection had ended already
	 */
	boolean closing() {
		this.lock.lock();
		try {
			this.closing = true;
			this.notFull.signalAll();
			return this.end != null;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * The connection ended: a take throws this once the buffer is drained. The first end
	 * counts.
	 * @param end how it ended
	 */
	void end(ConnectionClosedException end) {
		this.lock.lock();
		try {
			if (this.end == null) {
				this.end = end;
				this.notEmpty.signalAll();
				this.notFull.signalAll();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	@Nullable ConnectionClosedException getEnd() {
		this.lock.lock();
		try {
			return this.end;
		}
		finally {
			this.lock.unlock();
		}
	}

	boolean isClosing() {
		this.lock.lock();
		try {
			return this.closing;
		}
		finally {
			this.lock.unlock();
		}
	}

	ReceiveCounts counts() {
		this.lock.lock();
		try {
			return new ReceiveCounts(this.messages.size(), this.bytes, this.peakMessages, this.peakBytes,
					this.receivedMessages, this.droppedMessages);
		}
		finally {
			this.lock.unlock();
		}
	}

	/** What became of an offered message. */
	enum Offer {

		/** Buffered for the consumer. */
		BUFFERED,

		/** Dropped: no room under the policy, or the connection ended. */
		DROPPED,

		/** Dropped under {@link ReceiveOverflowPolicy#FAIL}: the connection must close with 1009. */
		OVERFLOW

	}

	/**
	 * A buffered message.
	 * @param message the message
	 * @param bytes its size
	 * @param seq its sequence number on a reliable connection, else 0
	 */
	record Received(WebSocketMessage<?> message, long bytes, long seq) {
	}

}

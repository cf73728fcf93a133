package io.github.wsdrain.session;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;
import org.springframework.web.socket.WebSocketMessage;

/**
 * The bounded queue of one draining session: admits messages under an overflow policy and
 * hands them to the writer in batches, in order. It does no I/O.
 * <p>
 * Once {@linkplain #close() closed} it admits nothing more, but still hands out what it
 * holds: the drain writes every message admitted before the close.
 * <p>
 * Its lock and deque are created when first needed: most sessions are idle most of their
 * life, and an idle session that never sent holds neither.
 */
final class SendQueue {

	/** The most messages the writer takes at once. */
	static final int MAX_BATCH_MESSAGES = 32;

	/** The most payload bytes the writer takes at once (or one larger message). */
	static final int MAX_BATCH_BYTES = 64 * 1024;

	private static final AtomicIntegerFieldUpdater<SendQueue> BATCH_REMAINING = AtomicIntegerFieldUpdater
		.newUpdater(SendQueue.class, "batchRemaining");

	private static final AtomicReferenceFieldUpdater<SendQueue, ReentrantLock> LOCK = AtomicReferenceFieldUpdater
		.newUpdater(SendQueue.class, ReentrantLock.class, "lock");

	private final long capacityBytes;

	private final SendOverflowPolicy policy;

	private final long maxWaitNanos;

	/** Guards the deque, its byte count and {@link #closed}; see {@link #lock()}. */
	private volatile @Nullable ReentrantLock lock;

	/** Created by the first sender that waits for room: most sessions never need it. */
	private @Nullable Condition roomAvailable;

	/** Created, small, by the first message admitted; guarded by the lock. */
	private @Nullable ArrayDeque<WebSocketMessage<?>> messages;

	/** Written under the lock, read without it by senders deciding whether to wait for the writer. */
	private volatile long queuedBytes;

	private volatile int queuedMessages;

	/** Messages of the last batch the writer has not claimed yet. */
	private volatile int batchRemaining;

	private boolean closed;

	private volatile long admitted;

	/**
	 * Create a queue.
	 * @param capacityBytes the most payload bytes held at once (a larger message is still
	 * admitted into an empty queue, rather than never)
	 * @param policy what {@link #offer} does when a message does not fit
	 * @param maxWait how long {@link SendOverflowPolicy#BLOCK} waits for room
	 */
	SendQueue(long capacityBytes, SendOverflowPolicy policy, Duration maxWait) {
		Assert.isTrue(capacityBytes > 0, "capacityBytes must be positive");
		this.capacityBytes = capacityBytes;
		this.policy = policy;
		this.maxWaitNanos = maxWait.toNanos();
	}

	/**
	 * Admit a message at the tail, applying the overflow policy if it does not fit.
	 * @param message the message
	 * @return whether it was admitted, and how many of the oldest messages were dropped to
	 * make room
	 * @throws InterruptedException if interrupted while waiting for room
	 */
	Offer offer(WebSocketMessage<?> message) throws InterruptedException {
		int size = message.getPayloadLength();
		ReentrantLock lock = lock();
		lock.lock();
		try {
			if (this.closed) {
				return Offer.CLOSED;
			}
			long dropped = 0;
			if (!hasRoomFor(size)) {
				switch (this.policy) {
					case BLOCK -> {
						Offer refused = awaitRoom(lock, size);
						if (refused != null) {
							return refused;
						}
					}
					case TERMINATE -> {
						return Offer.FULL;
					}
					case DROP_OLDEST -> dropped = dropOldestUntilRoom(size);
				}
			}
			ArrayDeque<WebSocketMessage<?>> messages = this.messages;
			if (messages == null) {
				messages = new ArrayDeque<>(1);
				this.messages = messages;
			}
			messages.addLast(message);
			this.queuedBytes += size;
			this.queuedMessages++;
			this.admitted++;
			return (dropped == 0) ? Offer.ADMITTED : new Offer(Outcome.ADMITTED, dropped, false);
		}
		finally {
			lock.unlock();
		}
	}

	/**
	 * Return the lock, creating it on first use: threads that race to create it all get
	 * the one that won.
	 */
	private ReentrantLock lock() {
		ReentrantLock lock = this.lock;
		return (lock != null) ? lock
				: LOCK.updateAndGet(this, (current) -> (current != null) ? current : new ReentrantLock());
	}

	/** Wait for room; return {@code null} once there is some, else why the message is refused. */
	private @Nullable Offer awaitRoom(ReentrantLock lock, int size) throws InterruptedException {
		long nanos = this.maxWaitNanos;
		while (!hasRoomFor(size)) {
			if (nanos <= 0) {
				return Offer.FULL;
			}
			Condition room = this.roomAvailable;
			if (room == null) {
				room = lock.newCondition();
				this.roomAvailable = room;
			}
			nanos = room.awaitNanos(nanos);
			if (this.closed) {
				return Offer.CLOSED_WHILE_WAITING;
			}
		}
		return null;
	}

	private boolean hasRoomFor(int size) {
		return this.queuedBytes == 0 || this.queuedBytes + size <= this.capacityBytes;
	}

	/** Only called with messages queued: the deque exists. */
	private long dropOldestUntilRoom(int size) {
		ArrayDeque<WebSocketMessage<?>> messages = this.messages;
		long dropped = 0;
		while (!hasRoomFor(size)) {
			WebSocketMessage<?> oldest = messages.pollFirst();
			this.queuedBytes -= oldest.getPayloadLength();
			this.queuedMessages--;
			dropped++;
		}
		return dropped;
	}

	/**
	 * Move the head of the queue into the writer's batch under one lock acquisition, so
	 * that a sender preempted while holding the lock stalls the writer once per batch
	 * rather than once per message. The messages count as queued until the writer
	 * {@linkplain #claimNext() claims} them.
	 * @param batch where to put them, at least {@value #MAX_BATCH_MESSAGES} long
	 * @return how many were taken: at most {@value #MAX_BATCH_MESSAGES} and
	 * {@value #MAX_BATCH_BYTES} bytes, or one larger message; 0 when the queue is empty
	 */
	int takeBatch(WebSocketMessage<?>[] batch) {
		ReentrantLock lock = lock();
		lock.lock();
		try {
			ArrayDeque<WebSocketMessage<?>> messages = this.messages;
			int count = 0;
			long bytes = 0;
			WebSocketMessage<?> next;
			while (messages != null && count < MAX_BATCH_MESSAGES && (next = messages.peekFirst()) != null
					&& (count == 0 || bytes + next.getPayloadLength() <= MAX_BATCH_BYTES)) {
				messages.pollFirst();
				batch[count++] = next;
				bytes += next.getPayloadLength();
			}
			this.queuedBytes -= bytes;
			this.queuedMessages -= count;
			this.batchRemaining = count;
			if (count > 0) {
				signalRoom(lock);
			}
			return count;
		}
		finally {
			lock.unlock();
		}
	}

	/**
	 * Claim the next message of the batch for writing.
	 * @return {@code false} if {@link #clear()} or {@link #abandonBatch()} took the rest
	 */
	boolean claimNext() {
		int remaining;
		do {
			remaining = this.batchRemaining;
			if (remaining <= 0) {
				return false;
			}
		}
		while (!BATCH_REMAINING.compareAndSet(this, remaining, remaining - 1));
		return true;
	}

	/**
	 * Give up the rest of the writer's batch, after a failed write.
	 * @return how many messages of the batch were left unclaimed
	 */
	int abandonBatch() {
		return BATCH_REMAINING.getAndSet(this, 0);
	}

	/**
	 * Admit nothing more; senders waiting for room are refused at once.
	 */
	void close() {
		ReentrantLock lock = lock();
		lock.lock();
		try {
			this.closed = true;
			signalRoom(lock);
		}
		finally {
			lock.unlock();
		}
	}

	/**
	 * Drop every message held, and those of the writer's batch not claimed yet.
	 * @return how many were dropped
	 */
	long clear() {
		ReentrantLock lock = lock();
		lock.lock();
		try {
			ArrayDeque<WebSocketMessage<?>> messages = this.messages;
			long count = BATCH_REMAINING.getAndSet(this, 0);
			if (messages != null) {
				count += messages.size();
				messages.clear();
			}
			this.queuedBytes = 0;
			this.queuedMessages = 0;
			signalRoom(lock);
			return count;
		}
		finally {
			lock.unlock();
		}
	}

	/** Wake the senders waiting for room; the caller holds the lock. */
	private void signalRoom(ReentrantLock lock) {
		Condition room = this.roomAvailable;
		if (room != null && lock.hasWaiters(room)) {
			room.signalAll();
		}
	}

	/**
	 * Return whether no message waits for the writer to take it.
	 * @return {@code true} when the writer has nothing to take
	 */
	boolean isEmpty() {
		return this.queuedMessages == 0;
	}

	/**
	 * Return how many messages wait to be written, the writer's unclaimed batch included.
	 * @return the message count
	 */
	int size() {
		return this.queuedMessages + this.batchRemaining;
	}

	/**
	 * Return how many messages {@link #offer} has admitted so far.
	 * @return the admitted message count
	 */
	long admitted() {
		return this.admitted;
	}

	/**
	 * Return the payload bytes waiting for the writer to take them.
	 * @return the byte count
	 */
	long bytes() {
		return this.queuedBytes;
	}

	/**
	 * Return the most payload bytes the queue holds at once.
	 * @return the byte count
	 */
	long capacityBytes() {
		return this.capacityBytes;
	}

	/**
	 * What became of an offered message.
	 *
	 * @param outcome whether it was admitted
	 * @param droppedOldest how many of the oldest messages were dropped to make room
	 * @param waitedForRoom whether the queue closed while the sender waited for room
	 */
	record Offer(Outcome outcome, long droppedOldest, boolean waitedForRoom) {

		static final Offer ADMITTED = new Offer(Outcome.ADMITTED, 0, false);

		static final Offer FULL = new Offer(Outcome.FULL, 0, false);

		static final Offer CLOSED = new Offer(Outcome.CLOSED, 0, false);

		static final Offer CLOSED_WHILE_WAITING = new Offer(Outcome.CLOSED, 0, true);

	}

	/**
	 * Whether a message was admitted.
	 */
	enum Outcome {

		/** Admitted: it will be written unless the drain or the connection ends first. */
		ADMITTED,

		/** Refused: no room under the policy (at once, or within the wait). */
		FULL,

		/** Refused: the queue is closed. */
		CLOSED

	}

}

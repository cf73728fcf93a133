package io.github.wsdrain.client;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToLongFunction;

import org.jspecify.annotations.Nullable;

/**
 * The transport connections of a reliable connection that its consumer has not drained
 * yet, oldest first, so that a lost connection's last messages come before the next
 * connection's; and, once the session is over, what {@code receive()} throws when all
 * are drained. Counts of drained connections are kept, so that totals never go down.
 */
final class ReadableTransports {

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	private final ArrayDeque<TransportConnection> transports = new ArrayDeque<>();

	private boolean sessionOver;

	private @Nullable ConnectionClosedException terminal;

	private long retiredReceived;

	private long retiredDropped;

	private int peakBufferedMessages;

	private long peakBufferedBytes;

	/** A transport connection carries the session now: its data goes to the consumer. */
	void add(TransportConnection transport) {
		this.lock.lock();
		try {
			this.transports.addLast(transport);
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Wait for a transport connection to read from.
	 * @throws ConnectionClosedException when the session is over and all are drained
	 * @throws ReceiveTimeoutException at the deadline
	 */
	TransportConnection await(Duration timeout, long deadlineNanos) throws InterruptedException {
		this.lock.lock();
		try {
			while (this.transports.isEmpty()) {
				if (this.sessionOver && this.terminal != null) {
					throw this.terminal;
				}
				long nanos = deadlineNanos - System.nanoTime();
				if (nanos <= 0) {
					throw new ReceiveTimeoutException(timeout);
				}
				this.changed.awaitNanos(nanos);
			}
			return this.transports.peekFirst();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * A transport connection is drained and ended. If the session is over and nothing
	 * newer is left, its end is the session's.
	 */
	void retire(TransportConnection transport, ConnectionClosedException end) {
		this.lock.lock();
		try {
			this.transports.remove(transport);
			this.peakBufferedMessages = Math.max(this.peakBufferedMessages, transport.getPeakBufferedMessages());
			this.peakBufferedBytes = Math.max(this.peakBufferedBytes, transport.getPeakBufferedBytes());
			this.retiredReceived += transport.getReceivedMessages();
			this.retiredDropped += transport.getDroppedMessages();
			if (this.sessionOver && this.transports.isEmpty() && this.terminal == null) {
				this.terminal = end;
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * The session is over: once drained, {@code receive()} throws the given end, or the
	 * last transport connection's own if none is given.
	 */
	void sessionOver(@Nullable ConnectionClosedException end) {
		this.lock.lock();
		try {
			this.sessionOver = true;
			if (end != null && this.terminal == null) {
				this.terminal = end;
			}
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	@Nullable ConnectionClosedException terminal() {
		this.lock.lock();
		try {
			return this.terminal;
		}
		finally {
			this.lock.unlock();
		}
	}

	int getBufferedMessages() {
		return (int) sum(TransportConnection::getBufferedMessages, 0);
	}

	long getBufferedBytes() {
		return sum(TransportConnection::getBufferedBytes, 0);
	}

	long getReceivedMessages() {
		this.lock.lock();
		try {
			return sum(TransportConnection::getReceivedMessages, this.retiredReceived);
		}
		finally {
			this.lock.unlock();
		}
	}

	long getDroppedMessages() {
		this.lock.lock();
		try {
			return sum(TransportConnection::getDroppedMessages, this.retiredDropped);
		}
		finally {
			this.lock.unlock();
		}
	}

	int getPeakBufferedMessages() {
		this.lock.lock();
		try {
			return (int) Math.max(this.peakBufferedMessages, max(TransportConnection::getPeakBufferedMessages));
		}
		finally {
			this.lock.unlock();
		}
	}

	long getPeakBufferedBytes() {
		this.lock.lock();
		try {
			return Math.max(this.peakBufferedBytes, max(TransportConnection::getPeakBufferedBytes));
		}
		finally {
			this.lock.unlock();
		}
	}

	private long sum(ToLongFunction<TransportConnection> count, long retired) {
		this.lock.lock();
		try {
			return retired + this.transports.stream().mapToLong(count).sum();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Call with the lock held. */
	private long max(ToLongFunction<TransportConnection> count) {
		return this.transports.stream().mapToLong(count).max().orElse(0);
	}

}

package io.github.wsdrain.client;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

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
			ReceiveCounts last = transport.receiveCounts();
			this.peakBufferedMessages = Math.max(this.peakBufferedMessages, last.peakBufferedMessages());
			this.peakBufferedBytes = Math.max(this.peakBufferedBytes, last.peakBufferedBytes());
			this.retiredReceived += last.receivedMessages();
			this.retiredDropped += last.droppedMessages();
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

	/**
	 * The counts over the transport connections not yet drained, plus those of the
	 * drained ones, so that totals never go down.
	 */
	ReceiveCounts counts() {
		this.lock.lock();
		try {
			int bufferedMessages = 0;
			long bufferedBytes = 0;
			int peakMessages = this.peakBufferedMessages;
			long peakBytes = this.peakBufferedBytes;
			long received = this.retiredReceived;
			long dropped = this.retiredDropped;
			for (TransportConnection transport : this.transports) {
				ReceiveCounts counts = transport.receiveCounts();
				bufferedMessages += counts.bufferedMessages();
				bufferedBytes += counts.bufferedBytes();
				peakMessages = Math.max(peakMessages, counts.peakBufferedMessages());
				peakBytes = Math.max(peakBytes, counts.peakBufferedBytes());
				received += counts.receivedMessages();
				dropped += counts.droppedMessages();
			}
			return new ReceiveCounts(bufferedMessages, bufferedBytes, peakMessages, peakBytes, received, dropped);
		}
		finally {
			this.lock.unlock();
		}
	}

}

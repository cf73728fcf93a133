package io.github.wsdrain.protocol;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes that all replay buffers of a server share to grow beyond their base size
 * (PROTOCOL.md §3): a session keeps its base size whatever the others do, and only what
 * it holds beyond that is taken from here, so that slow sessions together never hold more
 * than the budget on top of their base sizes.
 */
public final class ReplayBudget {

	private final long capacity;

	private final AtomicLong used = new AtomicLong();

	/**
	 * Create an unused budget.
	 * @param capacity the most bytes all replay buffers together may hold beyond their
	 * base sizes
	 */
	public ReplayBudget(long capacity) {
		this.capacity = capacity;
	}

	/**
	 * Take bytes if the budget has them.
	 * @param bytes how many
	 * @return whether they were taken
	 */
	boolean tryTake(long bytes) {
		long current;
		do {
			current = this.used.get();
			if (current + bytes > this.capacity) {
				return false;
			}
		}
		while (!this.used.compareAndSet(current, current + bytes));
		return true;
	}

	/**
	 * Take bytes whatever the budget has: one message larger than a replay buffer's base
	 * size, which an empty buffer always takes.
	 * @param bytes how many
	 */
	void take(long bytes) {
		this.used.addAndGet(bytes);
	}

	/**
	 * Return bytes taken before.
	 * @param bytes how many
	 */
	void give(long bytes) {
		this.used.addAndGet(-bytes);
	}

	/**
	 * Return whether the budget has the bytes now; a later take may still fail.
	 * @param bytes how many
	 * @return whether they fit
	 */
	boolean has(long bytes) {
		return this.used.get() + bytes <= this.capacity;
	}

	/**
	 * Return the most bytes all replay buffers together may hold beyond their base sizes.
	 * @return the capacity in bytes
	 */
	public long capacity() {
		return this.capacity;
	}

	/**
	 * Return the bytes the replay buffers hold beyond their base sizes now.
	 * @return the bytes in use
	 */
	public long used() {
		return this.used.get();
	}

}

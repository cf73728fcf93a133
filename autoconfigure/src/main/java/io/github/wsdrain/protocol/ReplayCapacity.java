package io.github.wsdrain.protocol;

import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * How many bytes a {@link ReplayBuffer} may hold (PROTOCOL.md §3). The sender can have no
 * more unacknowledged than that, so a session moves at most its capacity per round trip.
 * A fixed capacity never changes. An adaptive one is at its maximum when a connection
 * goes live, so that the first round trip can fill a long, fast path (nothing is known
 * about the path yet, and no acknowledgement can arrive sooner), and at its base size
 * while no connection is live. It then follows what the connection delivers, as TCP's
 * receive-window auto-tuning does: at every round trip (a sampled frame, sent to
 * acknowledged) after the first in which a sender waited for room or frames queued, it
 * becomes twice the bytes acknowledged per shortest round trip seen (planning for at
 * least {@link #MIN_ROUND_TRIP_NANOS}), between the base size and the maximum; a round
 * trip in which neither happened was paced by the app and says nothing about the path.
 * While senders wait for room and that is most of the capacity,
 * the capacity limits and it grows fourfold. A slow reader makes its round trips long
 * (its frames queue) and its deliveries per shortest round trip small: its capacity falls
 * back to the base size, by half per round trip. What a buffer holds beyond its base size
 * is taken from the server's {@link ReplayBudget}; when that is spent, the buffer takes no
 * more. One message larger than the capacity is still taken alone.
 * <p>
 * Not thread-safe: the buffer calls it under its lock.
 */
public final class ReplayCapacity {

	/** Headroom over the bytes delivered in one round trip, as TCP auto-tuning keeps. */
	static final int GAIN = 2;

	/** Growth per round trip while full and unqueued: 1 MB reaches 16 MB in two round trips. */
	static final int GROWTH = 4;

	/**
	 * A shortest round trip that delivers at least the capacity divided by this was limited
	 * by the capacity, not by the path or the reader.
	 */
	static final double LIMITED_DELIVERY_DIVISOR = 1.5;

	/**
	 * The shortest round trip the capacity plans for, however short the measured one: an
	 * acknowledgement waits up to {@link AckScheduler#MIN_INTERVAL} after its frame is
	 * taken, then for threads that a busy host runs in turn. On loopback the measured
	 * round trip is a fraction of that, and a capacity sized to it would leave the reader
	 * idle at every such wait.
	 */
	static final long MIN_ROUND_TRIP_NANOS = 20_000_000;

	/** A round trip this many times the shortest waited in a queue: the reader's, most often. */
	static final int QUEUED_FACTOR = 2;

	private final long base;

	private final long max;

	private final @Nullable ReplayBudget budget;

	private final LongSupplier nanoClock;

	private long size;

	/** Taken from the budget: what the buffer holds beyond its base size, at least. */
	private long reserved;

	/** Bytes acknowledged so far. */
	private long delivered;

	/** The sampled frame, 0 when none is in flight. */
	private long sampleSeq;

	private long sampleSentNanos;

	private long deliveredAtSample;

	/** Whether a sender waited for room since the sample was sent. */
	private boolean limited;

	/** The shortest round trip seen, 0 before the first. */
	private long minRttNanos;

	/**
	 * Whether the last round trip grew the capacity: the next one, sampled as it grew,
	 * delivers what was in flight before, and says nothing about the new size.
	 */
	private boolean grew;

	private ReplayCapacity(long base, long max, @Nullable ReplayBudget budget, LongSupplier nanoClock) {
		this.base = base;
		this.max = Math.max(base, max);
		this.budget = budget;
		this.nanoClock = nanoClock;
		this.size = base;
	}

	/**
	 * Return a capacity that never changes.
	 * @param bytes the capacity
	 * @return the capacity
	 */
	public static ReplayCapacity fixed(long bytes) {
		return new ReplayCapacity(bytes, bytes, null, System::nanoTime);
	}

	/**
	 * Return a capacity that grows with the bytes a round trip delivers.
	 * @param base the size it starts at and never goes below
	 * @param max the most it grows to (the base size if lower)
	 * @param budget where the bytes held beyond the base size come from
	 * @return the capacity
	 */
	public static ReplayCapacity adaptive(long base, long max, ReplayBudget budget) {
		return adaptive(base, max, budget, System::nanoTime);
	}

	static ReplayCapacity adaptive(long base, long max, ReplayBudget budget, LongSupplier nanoClock) {
		return new ReplayCapacity(base, max, budget, nanoClock);
	}

	/**
	 * Return whether a message would fit now, without taking room.
	 * @param held the bytes the buffer holds
	 * @param bytes the message's size
	 * @return whether it fits
	 */
	boolean admits(long held, long bytes) {
		if (held == 0) {
			return true;
		}
		if (held + bytes > this.size) {
			return false;
		}
		long need = excess(held + bytes) - this.reserved;
		return need <= 0 || this.budget == null || this.budget.has(need);
	}

	/**
	 * Take room for a message, from the budget for what lies beyond the base size.
	 * @param held the bytes the buffer holds
	 * @param bytes the message's size
	 * @return whether the message fits; {@code false} takes nothing
	 */
	boolean take(long held, long bytes) {
		if (held != 0 && held + bytes > this.size) {
			return false;
		}
		long need = excess(held + bytes) - this.reserved;
		if (need > 0 && this.budget != null) {
			if (held == 0) {
				// Alone and larger than the base size: taken whatever the budget has, as ever.
				this.budget.take(need);
			}
			else if (!this.budget.tryTake(need)) {
				return false;
			}
			this.reserved += need;
		}
		return true;
	}

	/**
	 * A frame was kept: sample its round trip unless one is being sampled.
	 * @param seq its sequence number
	 */
	void sent(long seq) {
		if (this.sampleSeq == 0 && isAdaptive()) {
			this.sampleSeq = seq;
			this.sampleSentNanos = this.nanoClock.getAsLong();
			this.deliveredAtSample = this.delivered;
			this.limited = false;
		}
	}

	/** A sender found no room: the capacity, not the app, limits this round trip. */
	void full() {
		this.limited = true;
	}

	/**
	 * The peer acknowledged frames: give back what the buffer no longer holds beyond its
	 * base size and, if the sampled frame is among them, size the capacity afresh.
	 * @param seq the cumulative acknowledgement
	 * @param released the bytes it released
	 * @param held the bytes the buffer holds now
	 */
	void acknowledged(long seq, long released, long held) {
		this.delivered += released;
		released(held);
		if (this.sampleSeq != 0 && seq >= this.sampleSeq) {
			long rtt = Math.max(1, this.nanoClock.getAsLong() - this.sampleSentNanos);
			// Kept for the connection's life: a reader that stays slow must not make its queued round
			// trips look like a long path.
			if (this.minRttNanos == 0 || rtt < this.minRttNanos) {
				this.minRttNanos = rtt;
			}
			resize(rtt);
			this.sampleSeq = 0;
		}
	}

	private void resize(long rtt) {
		long shortest = Math.max(this.minRttNanos, MIN_ROUND_TRIP_NANOS);
		if (!this.limited && rtt <= QUEUED_FACTOR * shortest) {
			// No sender waited and nothing queued: the app set the pace, and what it sent says
			// nothing about what the path or the reader could take.
			return;
		}
		// What the connection delivers in its shortest round trip: the queues a long round trip
		// waited in (a slow reader's among them) do not count.
		double perRoundTrip = (double) (this.delivered - this.deliveredAtSample) * shortest / rtt;
		long target = (long) (GAIN * perRoundTrip);
		if (this.limited && perRoundTrip * LIMITED_DELIVERY_DIVISOR >= this.size) {
			// Full, and delivered about all of it without queueing: the path could carry more.
			target = Math.max(target, GROWTH * this.size);
		}
		// Down by half at most per round trip: one slow round trip (a pause) does not undo the rest.
		long floor = this.grew ? this.size : this.size / 2;
		long previous = this.size;
		this.size = Math.max(this.base, Math.min(this.max, Math.max(target, floor)));
		this.grew = this.size > previous;
	}

	/**
	 * The buffer holds fewer bytes: give back what lies beyond the base size no more.
	 * @param held the bytes the buffer holds now
	 */
	void released(long held) {
		long excess = excess(held);
		if (this.reserved > excess && this.budget != null) {
			this.budget.give(this.reserved - excess);
			this.reserved = excess;
		}
	}

	/**
	 * A connection went live: start at the maximum, so that the first round trip can fill
	 * the path, and measure the new path afresh.
	 */
	void connected() {
		restart(this.max);
	}

	/**
	 * The connection was lost: back to the base size. A session without a connection holds
	 * no more than that plus what it held already.
	 */
	void disconnected() {
		restart(this.base);
	}

	private void restart(long size) {
		this.size = size;
		// Like a round trip that grew it: the first one, sampled while the path filled, says
		// nothing about what the path carries.
		this.grew = true;
		this.sampleSeq = 0;
		this.minRttNanos = 0;
	}

	/**
	 * Return how many bytes the buffer may hold now.
	 * @return the capacity in bytes
	 */
	public long size() {
		return this.size;
	}

	private boolean isAdaptive() {
		return this.max > this.base;
	}

	private long excess(long held) {
		return (this.budget != null) ? Math.max(0, held - this.base) : 0;
	}

}

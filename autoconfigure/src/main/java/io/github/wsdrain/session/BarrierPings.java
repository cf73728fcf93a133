package io.github.wsdrain.session;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Writes the close barrier's Pings of the sessions of one registry that close with
 * nothing left to drain. A lone close writes its Ping on the closing thread: no thread
 * hand-off. Closes that follow one another closer than {@link #BURST_GAP_NANOS} (a loop
 * over every session, a graceful shutdown) leave their Pings to one thread of the
 * executor, which writes them in turn: the closing thread goes on to the next session at
 * once, so that every session stops accepting messages within moments instead of one
 * Ping write (a system call, and on loopback the peer's wake-up) after another while the
 * senders keep filling the sessions not yet closed, and the Pongs come back while the
 * next Pings go out.
 * <p>
 * A Ping to a peer that stopped reading can block its writer until the send time limit
 * ends that session: a timer checks {@link #STALL_NANOS} after a writer starts, and while
 * Pings are queued without progress for that long it starts another writer, at most one
 * per such interval.
 */
public final class BarrierPings {

	/**
	 * Closes closer together than this come from one loop or one shutdown: far above the
	 * few microseconds a loop spends between two closes, far below the gap between closes
	 * of sessions whose peers or applications end them one by one.
	 */
	static final long BURST_GAP_NANOS = 100_000;

	/**
	 * Pings that made no progress for this long are taken for stuck on a peer: well past
	 * the wait of a writer that a busy machine did not schedule, far below the send time
	 * limit that ends a stuck write.
	 */
	static final long STALL_NANOS = 50_000_000;

	private static final Log logger = LogFactory.getLog(BarrierPings.class);

	private final Executor executor;

	private final ScheduledExecutorService timer;

	private final Queue<Runnable> queued = new ConcurrentLinkedQueue<>();

	private final AtomicInteger writers = new AtomicInteger();

	/** When the last close came here: a hint, racy on purpose. */
	private volatile long lastCloseNanos = System.nanoTime() - BURST_GAP_NANOS;

	/** When a writer last started or finished a Ping, or was started: a hint, racy on purpose. */
	private volatile long progressNanos;

	/**
	 * Create the Ping writer of a registry's sessions.
	 * @param executor runs the writers of bursts of closes
	 * @param timer checks that the queued Pings make progress; nothing that blocks runs on it
	 */
	public BarrierPings(Executor executor, ScheduledExecutorService timer) {
		this.executor = executor;
		this.timer = timer;
	}

	/**
	 * Run a close barrier's Ping (and what it starts: the wait for the Pong) on this
	 * thread, or, within a burst of closes, queue it for the burst's writer.
	 * @param ping the Ping of a session with nothing left to drain
	 */
	void write(Runnable ping) {
		long now = System.nanoTime();
		long sinceLastClose = now - this.lastCloseNanos;
		this.lastCloseNanos = now;
		if (sinceLastClose >= BURST_GAP_NANOS && this.writers.get() == 0) {
			ping.run();
			// A loop whose first Ping took long is a burst all the same.
			this.lastCloseNanos = System.nanoTime();
			return;
		}
		this.queued.add(ping);
		if (this.writers.get() == 0) {
			if (!startWriter()) {
				// Stopped threads: the closing thread writes, as it would without them.
				writeQueued();
			}
		}
	}

	/** Start a writer and its stall check; {@code false} if the executor is stopped. */
	private boolean startWriter() {
		this.writers.incrementAndGet();
		this.progressNanos = System.nanoTime();
		try {
			this.executor.execute(this::writeQueued);
		}
		catch (RejectedExecutionException ex) {
			this.writers.decrementAndGet();
			return false;
		}
		scheduleProgressCheck();
		return true;
	}

	private void scheduleProgressCheck() {
		try {
			this.timer.schedule(this::checkProgress, STALL_NANOS, TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			// Stopping: the send time limit still ends a stuck Ping's session.
		}
	}

	/** On the timer: Pings still queued and none written for a while: one is stuck on its peer. */
	private void checkProgress() {
		if (this.queued.isEmpty() || this.writers.get() == 0) {
			return;
		}
		if (System.nanoTime() - this.progressNanos >= STALL_NANOS) {
			startWriter();
		}
		else {
			scheduleProgressCheck();
		}
	}

	private void writeQueued() {
		try {
			Runnable ping;
			while ((ping = this.queued.poll()) != null) {
				this.progressNanos = System.nanoTime();
				try {
					ping.run();
				}
				catch (RuntimeException ex) {
					logger.warn("Close barrier Ping failed; writing the next", ex);
				}
			}
		}
		finally {
			this.progressNanos = System.nanoTime();
			this.writers.decrementAndGet();
		}
		// A Ping queued after the last poll, by a thread that still saw this writer at work.
		if (!this.queued.isEmpty() && this.writers.get() == 0 && !startWriter()) {
			writeQueued();
		}
	}

}

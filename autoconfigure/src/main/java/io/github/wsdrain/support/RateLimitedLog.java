package io.github.wsdrain.support;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;

/**
 * Writes at most one WARN line per interval and says how many it held back, so that a
 * thousand slow clients cannot flood the log.
 */
public final class RateLimitedLog {

	private final Log log;

	private final long intervalNanos;

	private final AtomicLong nextAllowedNanos;

	private final AtomicLong suppressed = new AtomicLong();

	public RateLimitedLog(Log log, Duration interval) {
		this.log = log;
		this.intervalNanos = interval.toNanos();
		this.nextAllowedNanos = new AtomicLong(System.nanoTime());
	}

	/**
	 * Log the message at WARN unless a line was written less than an interval ago.
	 * @param message supplies the line, only called when it is written
	 */
	public void warn(Supplier<String> message) {
		if (!this.log.isWarnEnabled()) {
			return;
		}
		long now = System.nanoTime();
		long next = this.nextAllowedNanos.get();
		if (now - next >= 0 && this.nextAllowedNanos.compareAndSet(next, now + this.intervalNanos)) {
			long held = this.suppressed.getAndSet(0);
			this.log.warn((held > 0) ? message.get() + " (" + held + " similar warnings suppressed)" : message.get());
		}
		else {
			this.suppressed.incrementAndGet();
		}
	}

}

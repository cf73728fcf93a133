package io.github.wsdrain.session;

import java.time.Duration;

import org.springframework.util.Assert;
import org.springframework.util.unit.DataSize;

/**
 * How a {@link DrainingWebSocketSession} bounds its queue and its drain.
 *
 * @param sendBufferSize the most bytes of payload queued per session
 * @param sendTimeLimit how long a sender waits for room under {@link SendOverflowPolicy#BLOCK},
 * and how long one write to the peer may take before the session ends with 1011
 * @param overflow what happens when a message does not fit
 * @param drainTimeout how long a closing session may take to flush its queue
 * @param closeBarrierTimeout how long a closing session waits for the Pong of its
 * {@link CloseBarrier} (within what remains of the drain timeout); zero turns the
 * barrier off
 */
public record DrainSettings(DataSize sendBufferSize, Duration sendTimeLimit, SendOverflowPolicy overflow,
		Duration drainTimeout, Duration closeBarrierTimeout) {

	private static final Duration MIN_WRITE_CHECK_INTERVAL = Duration.ofMillis(10);

	private static final Duration MAX_WRITE_CHECK_INTERVAL = Duration.ofSeconds(1);

	/** The close barrier's timeout unless one is given. */
	public static final Duration DEFAULT_CLOSE_BARRIER_TIMEOUT = Duration.ofSeconds(5);

	/**
	 * Defaults: 1 MB buffer, 10 s send time limit, {@code block}, 10 s drain timeout, 5 s
	 * close barrier timeout.
	 */
	public static final DrainSettings DEFAULTS = new DrainSettings(DataSize.ofMegabytes(1), Duration.ofSeconds(10),
			SendOverflowPolicy.BLOCK, Duration.ofSeconds(10));

	public DrainSettings {
		Assert.isTrue(sendBufferSize.toBytes() > 0, "sendBufferSize must be positive");
		Assert.isTrue(sendTimeLimit.compareTo(Duration.ZERO) > 0, "sendTimeLimit must be positive");
		Assert.notNull(overflow, "overflow must not be null");
		Assert.isTrue(drainTimeout.compareTo(Duration.ZERO) > 0, "drainTimeout must be positive");
		Assert.isTrue(!closeBarrierTimeout.isNegative(), "closeBarrierTimeout must not be negative");
	}

	/**
	 * Settings with the close barrier on, at its default timeout.
	 */
	public DrainSettings(DataSize sendBufferSize, Duration sendTimeLimit, SendOverflowPolicy overflow,
			Duration drainTimeout) {
		this(sendBufferSize, sendTimeLimit, overflow, drainTimeout, DEFAULT_CLOSE_BARRIER_TIMEOUT);
	}

	/**
	 * Return how often the write watchdog looks for writes past the send time limit: a
	 * quarter of the limit, between 10 ms and 1 s.
	 * @return the interval
	 */
	public Duration writeCheckInterval() {
		Duration quarter = this.sendTimeLimit.dividedBy(4);
		Duration atLeast = (quarter.compareTo(MIN_WRITE_CHECK_INTERVAL) < 0) ? MIN_WRITE_CHECK_INTERVAL : quarter;
		return (atLeast.compareTo(MAX_WRITE_CHECK_INTERVAL) > 0) ? MAX_WRITE_CHECK_INTERVAL : atLeast;
	}

	/**
	 * Return these settings with another close barrier timeout.
	 * @param timeout the close barrier timeout; zero turns the barrier off
	 * @return the new settings
	 */
	public DrainSettings withCloseBarrierTimeout(Duration timeout) {
		return new DrainSettings(this.sendBufferSize, this.sendTimeLimit, this.overflow, this.drainTimeout, timeout);
	}

}

package io.github.wsdrain.session;

import java.time.Duration;

import org.springframework.util.Assert;
import org.springframework.util.unit.DataSize;

/**
 * How a {@link DrainingWebSocketSession} bounds its queue and its drain.
 *
 * @param sendBufferSize the most bytes of payload queued per session
 * @param sendTimeLimit how long a sender waits for room under {@link OverflowPolicy#BLOCK}
 * @param overflow what happens when a message does not fit
 * @param drainTimeout how long a closing session may take to flush its queue
 * @param closeBarrierTimeout how long a closing session waits for the Pong of its
 * {@link CloseBarrier} (within what remains of the drain timeout); zero turns the
 * barrier off
 */
public record DrainSettings(DataSize sendBufferSize, Duration sendTimeLimit, OverflowPolicy overflow,
		Duration drainTimeout, Duration closeBarrierTimeout) {

	/** The close barrier's timeout unless one is given. */
	public static final Duration DEFAULT_CLOSE_BARRIER_TIMEOUT = Duration.ofSeconds(5);

	/**
	 * Defaults: 1 MB buffer, 10 s send time limit, {@code block}, 10 s drain timeout, 5 s
	 * close barrier timeout.
	 */
	public static final DrainSettings DEFAULTS = new DrainSettings(DataSize.ofMegabytes(1), Duration.ofSeconds(10),
			OverflowPolicy.BLOCK, Duration.ofSeconds(10));

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
	public DrainSettings(DataSize sendBufferSize, Duration sendTimeLimit, OverflowPolicy overflow,
			Duration drainTimeout) {
		this(sendBufferSize, sendTimeLimit, overflow, drainTimeout, DEFAULT_CLOSE_BARRIER_TIMEOUT);
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

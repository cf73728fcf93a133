package io.github.wsdrain.server.resume;

import java.util.concurrent.TimeUnit;

import io.github.wsdrain.protocol.ProtocolViolationException;

/**
 * Refuses a client that acknowledges more often than a limit per second (PROTOCOL.md §3,
 * §5: 1008): a well-behaved client sends 10 to 500.
 */
final class AckFloodLimit {

	private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final int maxPerSecond;

	private long windowStart;

	private int inWindow;

	AckFloodLimit(int maxPerSecond) {
		this.maxPerSecond = maxPerSecond;
	}

	/**
	 * Count one acknowledgement.
	 * @throws ProtocolViolationException if it is one too many this second
	 */
	synchronized void count() throws ProtocolViolationException {
		long now = System.nanoTime();
		if (now - this.windowStart > SECOND_NANOS) {
			this.windowStart = now;
			this.inWindow = 0;
		}
		if (++this.inWindow > this.maxPerSecond) {
			throw ProtocolViolationException.policy("Acknowledgement flood");
		}
	}

}

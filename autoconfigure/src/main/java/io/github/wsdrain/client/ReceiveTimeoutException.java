package io.github.wsdrain.client;

import java.time.Duration;

/**
 * Thrown when no message arrived within the receive timeout. The connection stays usable.
 */
public class ReceiveTimeoutException extends RuntimeException {

	private final Duration timeout;

	public ReceiveTimeoutException(Duration timeout) {
		super("No WebSocket message received within " + timeout.toMillis() + " ms");
		this.timeout = timeout;
	}

	/**
	 * Return the timeout that expired.
	 * @return the timeout
	 */
	public Duration getTimeout() {
		return this.timeout;
	}

}

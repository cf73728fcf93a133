package io.github.wsdrain.client;

import java.time.Duration;

/**
 * Thrown by {@link ReliableWebSocketConnection#send} when the replay buffer stayed full
 * (the server did not acknowledge, or the connection stayed lost) for the send timeout.
 * The message was not accepted; everything accepted before is still kept for replay.
 */
public class SendTimeoutException extends RuntimeException {

	private final Duration timeout;

	public SendTimeoutException(String message, Duration timeout) {
		super(message);
		this.timeout = timeout;
	}

	/**
	 * Return how long the sender waited.
	 * @return the send timeout
	 */
	public Duration getTimeout() {
		return this.timeout;
	}

}

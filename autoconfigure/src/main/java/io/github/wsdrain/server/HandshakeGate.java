package io.github.wsdrain.server;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Whether the endpoints wsdrain wraps accept new WebSocket handshakes. While closed,
 * every handshake is refused with {@code 503 Service Unavailable} and a
 * {@code Retry-After} header; plain HTTP requests are not affected.
 */
public class HandshakeGate {

	private volatile @Nullable Duration retryAfter;

	/**
	 * Return whether new handshakes are accepted.
	 * @return {@code true} unless {@link #refuse(Duration)} was called since the last
	 * {@link #accept()}
	 */
	public boolean isAccepting() {
		return this.retryAfter == null;
	}

	/**
	 * Refuse new handshakes from now on.
	 * @param retryAfter how long clients are told to wait before they try again
	 */
	public void refuse(Duration retryAfter) {
		this.retryAfter = retryAfter;
	}

	/**
	 * Accept new handshakes again.
	 */
	public void accept() {
		this.retryAfter = null;
	}

	/**
	 * Return how long refused clients are told to wait.
	 * @return the retry-after duration, or {@code null} while handshakes are accepted
	 */
	public @Nullable Duration getRetryAfter() {
		return this.retryAfter;
	}

}

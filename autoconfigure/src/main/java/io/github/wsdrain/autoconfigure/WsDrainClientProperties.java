package io.github.wsdrain.autoconfigure;

import java.time.Duration;

import io.github.wsdrain.client.ReceiveOverflowPolicy;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties for the buffering WebSocket client.
 */
@ConfigurationProperties("wsdrain.client")
public class WsDrainClientProperties {

	/** Whether to auto-configure the buffering WebSocket client. */
	private boolean enabled = true;

	/** Maximum time to wait for the opening handshake. */
	private Duration connectTimeout = Duration.ofSeconds(10);

	/** Maximum time receive() waits for a message. */
	private Duration receiveTimeout = Duration.ofSeconds(30);

	/** Maximum time close() waits for the peer's close frame before ending the connection. */
	private Duration closeTimeout = Duration.ofSeconds(10);

	private final Buffer buffer = new Buffer();

	private final Reliable reliable = new Reliable();

	private final Reconnect reconnect = new Reconnect();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	public void setConnectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	public Duration getReceiveTimeout() {
		return this.receiveTimeout;
	}

	public void setReceiveTimeout(Duration receiveTimeout) {
		this.receiveTimeout = receiveTimeout;
	}

	public Duration getCloseTimeout() {
		return this.closeTimeout;
	}

	public void setCloseTimeout(Duration closeTimeout) {
		this.closeTimeout = closeTimeout;
	}

	public Buffer getBuffer() {
		return this.buffer;
	}

	public Reliable getReliable() {
		return this.reliable;
	}

	public Reconnect getReconnect() {
		return this.reconnect;
	}

	/**
	 * Receive buffer of each connection.
	 */
	public static class Buffer {

		/** Maximum number of received messages waiting to be consumed, per connection. */
		private int maxMessages = 1000;

		/** Maximum size of received messages waiting to be consumed, per connection; also the largest message accepted. */
		private DataSize maxBytes = DataSize.ofMegabytes(4);

		/** What to do when a message arrives and the buffer is full. */
		private ReceiveOverflowPolicy overflow = ReceiveOverflowPolicy.BLOCK;

		public int getMaxMessages() {
			return this.maxMessages;
		}

		public void setMaxMessages(int maxMessages) {
			this.maxMessages = maxMessages;
		}

		public DataSize getMaxBytes() {
			return this.maxBytes;
		}

		public void setMaxBytes(DataSize maxBytes) {
			this.maxBytes = maxBytes;
		}

		public ReceiveOverflowPolicy getOverflow() {
			return this.overflow;
		}

		public void setOverflow(ReceiveOverflowPolicy overflow) {
			this.overflow = overflow;
		}

	}

	/**
	 * Reliable connections: acknowledged delivery and resume over {@code wsdrain.v1}.
	 */
	public static class Reliable {

		/** Whether connect() opens reliable connections (the server must accept wsdrain.v1). */
		private boolean enabled;

		/** Maximum size of sent messages kept until the server acknowledges them, per connection. */
		private DataSize bufferSize = DataSize.ofMegabytes(1);

		/** Maximum time a send waits for room in a full replay buffer. */
		private Duration sendTimeLimit = Duration.ofSeconds(10);

		/** Longest time without any frame from the server before the connection is given up and resumed; twice the server's heartbeat. */
		private Duration heartbeatTimeout = Duration.ofSeconds(50);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public DataSize getBufferSize() {
			return this.bufferSize;
		}

		public void setBufferSize(DataSize bufferSize) {
			this.bufferSize = bufferSize;
		}

		public Duration getSendTimeLimit() {
			return this.sendTimeLimit;
		}

		public void setSendTimeLimit(Duration sendTimeLimit) {
			this.sendTimeLimit = sendTimeLimit;
		}

		/**
		 * Set the send time limit under its former name,
		 * {@code wsdrain.client.reliable.send-timeout}: write-only, so that the key binds
		 * while its metadata (deprecated, with its replacement) comes from
		 * {@code additional-spring-configuration-metadata.json}.
		 * @param sendTimeout the send time limit
		 * @deprecated in favour of {@code wsdrain.client.reliable.send-time-limit}
		 */
		@Deprecated(since = "0.1.0")
		public void setSendTimeout(Duration sendTimeout) {
			this.sendTimeLimit = sendTimeout;
		}

		public Duration getHeartbeatTimeout() {
			return this.heartbeatTimeout;
		}

		public void setHeartbeatTimeout(Duration heartbeatTimeout) {
			this.heartbeatTimeout = heartbeatTimeout;
		}

	}

	/**
	 * How a reliable connection reconnects after a lost connection: exponential back-off
	 * with jitter (each delay within half of the nominal one either way, never below the
	 * initial delay nor above the maximum).
	 */
	public static class Reconnect {

		/** Delay before the first reconnect attempt. */
		private Duration initialDelay = Duration.ofMillis(100);

		/** Longest delay between reconnect attempts. */
		private Duration maxDelay = Duration.ofSeconds(10);

		/** Factor by which the delay grows after each failed attempt. */
		private double multiplier = 2.0;

		/** Attempts before giving up; the server's resume window also ends them. */
		private int maxAttempts = 20;

		public Duration getInitialDelay() {
			return this.initialDelay;
		}

		public void setInitialDelay(Duration initialDelay) {
			this.initialDelay = initialDelay;
		}

		public Duration getMaxDelay() {
			return this.maxDelay;
		}

		public void setMaxDelay(Duration maxDelay) {
			this.maxDelay = maxDelay;
		}

		public double getMultiplier() {
			return this.multiplier;
		}

		public void setMultiplier(double multiplier) {
			this.multiplier = multiplier;
		}

		public int getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(int maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

	}

}

package io.github.wsdrain.autoconfigure;

import java.time.Duration;

import io.github.wsdrain.client.OverflowPolicy;

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

	/**
	 * Receive buffer of each connection.
	 */
	public static class Buffer {

		/** Maximum number of received messages waiting to be consumed, per connection. */
		private int maxMessages = 1000;

		/** Maximum size of received messages waiting to be consumed, per connection; also the largest message accepted. */
		private DataSize maxBytes = DataSize.ofMegabytes(4);

		/** What to do when a message arrives and the buffer is full. */
		private OverflowPolicy overflow = OverflowPolicy.BLOCK;

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

		public OverflowPolicy getOverflow() {
			return this.overflow;
		}

		public void setOverflow(OverflowPolicy overflow) {
			this.overflow = overflow;
		}

	}

}

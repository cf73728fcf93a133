package io.github.wsdrain.session;

import java.util.concurrent.atomic.LongAdder;

/**
 * Messages and payload bytes written by every draining session of a registry, closed
 * ones included: cheap enough to count on every send, read by metrics.
 */
public final class SendTotals {

	private final LongAdder messages = new LongAdder();

	private final LongAdder bytes = new LongAdder();

	void recordSent(int messageCount, long payloadBytes) {
		this.messages.add(messageCount);
		this.bytes.add(payloadBytes);
	}

	/**
	 * Return the messages written so far.
	 * @return the message count
	 */
	public long messages() {
		return this.messages.sum();
	}

	/**
	 * Return the payload bytes written so far.
	 * @return the byte count
	 */
	public long bytes() {
		return this.bytes.sum();
	}

}

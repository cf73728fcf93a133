package io.github.wsdrain.metrics;

import java.util.function.ToDoubleFunction;

import io.github.wsdrain.client.BufferedWebSocketClient;
import io.github.wsdrain.client.ConnectionTotals;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Client metrics under {@code wsdrain.client.}: open connections, what they buffer, and
 * counts of drops, reconnects and duplicates, over the connections one
 * {@link BufferedWebSocketClient} opened. No tags: URIs and connection ids would be
 * unbounded.
 * <p>
 * Every meter reads {@link BufferedWebSocketClient#getConnectionTotals()} when scraped;
 * nothing is recorded on the message path.
 */
public class WsDrainClientMetrics implements MeterBinder {

	private final BufferedWebSocketClient client;

	/**
	 * Create the binder for one client.
	 * @param client the client whose connections are measured
	 */
	public WsDrainClientMetrics(BufferedWebSocketClient client) {
		this.client = client;
	}

	@Override
	public void bindTo(MeterRegistry meterRegistry) {
		Gauge.builder("wsdrain.client.connections", this.client, total(ConnectionTotals::connections))
			.description("WebSocket client connections open")
			.register(meterRegistry);
		Gauge.builder("wsdrain.client.buffered.messages", this.client, total(ConnectionTotals::bufferedMessages))
			.description("Received messages waiting to be taken, summed over client connections")
			.register(meterRegistry);
		Gauge.builder("wsdrain.client.buffered.bytes", this.client, total(ConnectionTotals::bufferedBytes))
			.description("Size of the received messages waiting to be taken, summed over client connections")
			.baseUnit("bytes")
			.register(meterRegistry);
		FunctionCounter
			.builder("wsdrain.client.messages.dropped", this.client, total(ConnectionTotals::droppedMessages))
			.description("Received messages discarded by the overflow policy or after the connection ended")
			.register(meterRegistry);
		FunctionCounter.builder("wsdrain.client.reconnects", this.client, total(ConnectionTotals::reconnects))
			.description("Reconnections of wsdrain.v1 client connections after a lost connection")
			.register(meterRegistry);
		FunctionCounter.builder("wsdrain.client.duplicates", this.client, total(ConnectionTotals::duplicates))
			.description("Messages wsdrain.v1 client connections received again and dropped by sequence number")
			.register(meterRegistry);
	}

	private static ToDoubleFunction<BufferedWebSocketClient> total(ToDoubleFunction<ConnectionTotals> value) {
		return (client) -> value.applyAsDouble(client.getConnectionTotals());
	}

}

package io.github.wsdrain.benchmarks;

import java.util.Locale;
import java.util.Map;

import io.github.wsdrain.benchmarks.ReceiveCells.ClientVariant;
import io.github.wsdrain.client.BufferedWebSocketClient;

/**
 * Receiving: a plain Spring handler against the buffering client.
 */
final class ClientSection implements Section {

	private int count;

	private String settings;

	private Map<ClientVariant, double[]> rates;

	private Map<ClientVariant, double[]> cpu;

	void record(int count, BufferedWebSocketClient settings, Map<ClientVariant, double[]> rates,
			Map<ClientVariant, double[]> cpu) {
		this.count = count;
		this.rates = rates;
		this.cpu = cpu;
		this.settings = String.format(Locale.ROOT, "buffer of %,d messages / %s, overflow policy %s",
				settings.getMaxBufferedMessages(), Bench.bytes(settings.getMaxBufferedBytes().toBytes()),
				settings.getOverflowPolicy());
	}

	@Override
	public void render(Markdown md) {
		md.text("\n### Client\n\n");
		if (this.rates == null) {
			md.text("Section not run.\n");
			return;
		}
		md.format("The server's draining session on `/drained` sends %,d binary 1 KB messages from one thread as "
				+ "fast as it can, then `closeAsync(NORMAL)`; the client is Spring's `StandardWebSocketClient` "
				+ "(Tomcat's JSR-356 client) with either a plain `BinaryWebSocketHandler` that counts messages or "
				+ "wsdrain's `BufferedWebSocketClient` on the same `StandardWebSocketClient` (", this.count)
			.text(this.settings)
			.text(", the defaults) with one consumer thread calling `receive()` until `ConnectionClosedException`. "
					+ "Messages/s: first send to the receipt of the last message by the handler or the consumer. "
					+ "Every run checks that all messages and bytes arrived, then the close with 1000, and that the "
					+ "server's `CloseResult` reports no drop. The two cells run back to back in ABBA order, a GC "
					+ "before each run. Process CPU: the whole JVM from the first send to the client seeing the "
					+ "close, per message.\n\n")
			.rateTable("client");
		this.rates.forEach((variant, rates) -> md.rateRow(variant.label, this.count, rates, this.cpu.get(variant)));
		md.ratioTable()
			.ratioRow("buffering client / plain Spring handler, 1 KB",
					Samples.ratios(this.rates.get(ClientVariant.BUFFERED), this.rates.get(ClientVariant.HANDLER)),
					"%.2f", Targets.CLIENT, "%.2f", true);
	}

}

package io.github.wsdrain.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.wsdrain.benchmarks.ReceiveCells.ProtocolVariant;

/**
 * {@code wsdrain.v1} against the same client without the protocol: on the loopback
 * interface, on the wire, and through a delayed link.
 */
final class ProtocolSection implements Section {

	private int count;

	private Map<ProtocolVariant, double[]> rates;

	private Map<ProtocolVariant, double[]> cpu;

	private Map<ProtocolVariant, LoopbackProxy.Bytes> wire;

	private int delayedCount;

	private long delayMillis;

	private Map<ProtocolVariant, double[]> delayedRates;

	void record(int count, Map<ProtocolVariant, double[]> rates, Map<ProtocolVariant, double[]> cpu,
			Map<ProtocolVariant, LoopbackProxy.Bytes> wire) {
		this.count = count;
		this.rates = rates;
		this.cpu = cpu;
		this.wire = wire;
	}

	void delayed(int count, Duration oneWay, Map<ProtocolVariant, double[]> rates) {
		this.delayedCount = count;
		this.delayMillis = oneWay.toMillis();
		this.delayedRates = rates;
	}

	@Override
	public void render(Markdown md) {
		md.text("\n### `wsdrain.v1`\n\n");
		if (this.rates != null) {
			renderLoopback(md);
		}
		if (this.delayedRates != null) {
			renderDelayed(md);
		}
		else {
			md.text("Section not run.\n");
		}
	}

	private void renderLoopback(Markdown md) {
		md.format("The server on `/drained` sends %,d binary 1 KB messages from one thread as fast as it can, then "
				+ "`closeAsync(NORMAL)`, to wsdrain's `BufferedWebSocketClient` (on Spring's "
				+ "`StandardWebSocketClient`, default settings) with one consumer thread calling `receive()` until "
				+ "`ConnectionClosedException`: without the protocol, and with `wsdrain.v1` (numbered messages, "
				+ "acknowledged by the client, the server keeping what is unacknowledged for replay), both sides at "
				+ "their default settings. Every run checks that all messages and bytes arrived, then the close "
				+ "with 1000, and that the server's `CloseResult` reports no drop and nothing unacknowledged. ABBA "
				+ "pairs, a GC before each run. Wire: one more run of each through a loopback TCP proxy counting "
				+ "every byte each way (handshake, frame headers, masks, close included).\n\n", this.count)
			.rateTable("client");
		this.rates.forEach((variant, rates) -> md.rateRow(variant.label, this.count, rates, this.cpu.get(variant)));
		md.text("\n| run | bytes to the client | bytes to the server | total |\n|---|---:|---:|---:|\n");
		this.wire.forEach((variant, bytes) -> md.line("| %s | %,d | %,d | %,d |", shortLabel(variant),
				bytes.toClient(), bytes.toServer(), bytes.total()));
		double overhead = wireOverheadPercent();
		md.ratioTable()
			.ratioRow("messages/s, `wsdrain.v1` / without, 1 KB, loopback", ratio(), "%.2f", Targets.ACKNOWLEDGED,
					"%.2f", true)
			.line("| process CPU per message, `wsdrain.v1` / without (lower is better) | %s | – | – |",
					acknowledgedOverPlain(this.cpu).format("%.2f"))
			.line("| wire overhead, both ways | %+.2f%% | ≤ %.0f%% | %s |", overhead, Targets.WIRE_OVERHEAD_PERCENT,
					(overhead <= Targets.WIRE_OVERHEAD_PERCENT) ? "yes" : "**no**");
	}

	private void renderDelayed(Markdown md) {
		md.format("%nThrough a link delayed %d ms each way (a %d ms round trip): a loopback TCP proxy that holds "
				+ "every chunk it reads for %d ms before writing it on, in both directions, with no bandwidth limit "
				+ "of its own. TCP on either side of it runs at loopback speed, so only a window kept above TCP (the "
				+ "protocol's acknowledgements) feels the round trip. %,d binary 1 KB messages per run, the same two "
				+ "clients, ABBA pairs.%n%n", this.delayMillis, 2 * this.delayMillis, this.delayMillis,
				this.delayedCount)
			.text("| client | messages/s | MB/s (median) |\n|---|---|---:|\n");
		this.delayedRates.forEach((variant, rates) -> {
			Samples samples = new Samples(rates);
			md.line("| %s | %s | %,.1f |", shortLabel(variant), samples.format("%,.0f"), samples.median() / 1024);
		});
		md.ratioTable()
			.ratioRow("messages/s, `wsdrain.v1` / without, 1 KB, " + 2 * this.delayMillis + " ms round trip",
					delayedRatio(), "%.2f", Targets.ACKNOWLEDGED_DELAYED, "%.1f", true);
	}

	@Override
	public void targets(Markdown md) {
		if (this.rates != null) {
			md.targetRow("`wsdrain.v1` at default settings / plain client, 1 KB", ratio(), Targets.ACKNOWLEDGED);
		}
		if (this.delayedRates != null) {
			md.targetRow("the same at a " + 2 * this.delayMillis + " ms round trip", delayedRatio(),
					Targets.ACKNOWLEDGED_DELAYED);
		}
	}

	@Override
	public void bars(List<Bar> bars) {
		if (this.rates != null) {
			bars.add(new Bar("wsdrain.v1", "vs without", "loopback", ratio(), Targets.ACKNOWLEDGED));
		}
		if (this.delayedRates != null) {
			bars.add(new Bar("wsdrain.v1", "vs without", (2 * this.delayMillis) + " ms RTT", delayedRatio(),
					Targets.ACKNOWLEDGED_DELAYED));
		}
	}

	private Samples ratio() {
		return acknowledgedOverPlain(this.rates);
	}

	private Samples delayedRatio() {
		return acknowledgedOverPlain(this.delayedRates);
	}

	private static Samples acknowledgedOverPlain(Map<ProtocolVariant, double[]> cells) {
		return Samples.ratios(cells.get(ProtocolVariant.ACKNOWLEDGED), cells.get(ProtocolVariant.PLAIN));
	}

	private double wireOverheadPercent() {
		long without = this.wire.get(ProtocolVariant.PLAIN).total();
		long with = this.wire.get(ProtocolVariant.ACKNOWLEDGED).total();
		return 100.0 * (with - without) / without;
	}

	private static String shortLabel(ProtocolVariant variant) {
		return (variant == ProtocolVariant.PLAIN) ? "without the protocol" : "`wsdrain.v1`";
	}

}

package io.github.wsdrain.benchmarks;

/**
 * Single-message latency, plain session against wsdrain.
 */
final class LatencySection implements Section {

	private static final String RATIO = "median latency, wsdrain / plain";

	private LatencyCell.Result result;

	void record(LatencyCell.Result result) {
		this.result = result;
	}

	@Override
	public void render(Markdown md) {
		if (this.result == null) {
			return;
		}
		LatencyCell.Result result = this.result;
		md.text("\n### Single-message latency\n\n")
			.format("%,d messages of %s per run, one at a time: the next is sent only once the client has read the "
					+ "previous one, so nothing ever waits in a queue. From `sendMessage` to the client's receipt; "
					+ "a run's median and 99th percentile; a new connection per run, the two cells in %d ABBA "
					+ "pairs (a connection's median takes one of two values for the whole run, wherever its threads "
					+ "landed: many pairs, so that the ratio measures the code rather than that draw).\n\n",
					result.messages(), Bench.bytes(LatencyCell.SIZE), result.medians()[0].length)
			.text("| session | median µs (per-run medians: median (min–max)) | 99th percentile µs |\n|---|---|---|\n")
			.line("| plain session | %s | %s |", new Samples(result.medians()[0]).format("%.1f"),
					new Samples(result.p99()[0]).format("%.1f"))
			.line("| wsdrain | %s | %s |", new Samples(result.medians()[1]).format("%.1f"),
					new Samples(result.p99()[1]).format("%.1f"))
			.ratioTable()
			.ratioRow(RATIO, ratio(), "%.2f", Targets.LATENCY, "%.1f", false);
	}

	@Override
	public void targets(Markdown md) {
		if (this.result != null) {
			md.targetRow("single-message latency, wsdrain / plain", ratio(), "%.2f", Targets.LATENCY, "%.1f", false);
		}
	}

	private Samples ratio() {
		return Samples.ratios(this.result.medians()[1], this.result.medians()[0]);
	}

}

package io.github.wsdrain.benchmarks;

import java.util.List;

import io.github.wsdrain.benchmarks.ThroughputCells.Variant;

/**
 * The decorator's cost alone, measured by JMH.
 */
final class MicroSection implements Section {

	private List<MicroCells.Cell> cells;

	void record(List<MicroCells.Cell> cells) {
		this.cells = cells;
	}

	@Override
	public void render(Markdown md) {
		if (this.cells == null) {
			return;
		}
		md.text("\n### Cost of the decorator alone (JMH, no network, no client)\n\n")
			.text("`DecoratorCost`: `sendMessage` of a 1 KB binary message to a session with no container behind "
					+ "it (it copies the payload and counts it), on JMH 1.37: one forked JVM per cell, single-shot "
					+ "batches of 1,000,000 messages split over the threads (a fixed batch, because with several "
					+ "senders both decorators queue what the writing thread has not taken yet). Nanoseconds per "
					+ "message: a batch's wall time over its messages (with 4 threads on 2 cores it includes "
					+ "waiting for a core), with JMH's 95 % interval over the measured batches.\n\n")
			.text("| variant | sending threads | ns per message [95 % interval] | batches |\n|---|---:|---|---:|\n");
		for (MicroCells.Cell cell : this.cells) {
			String label = switch (cell.variant()) {
				case "PLAIN" -> "container session called directly";
				case "SPRING" -> Variant.SPRING.label;
				default -> Variant.WSDRAIN.label;
			};
			md.line("| %s | %d | %,.0f [%,.0f, %,.0f] | %d |", label, cell.threads(), cell.nanos(), cell.low(),
					cell.high(), cell.iterations());
		}
	}

}

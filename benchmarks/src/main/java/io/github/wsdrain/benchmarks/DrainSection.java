package io.github.wsdrain.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * The fixed cost of a close, and the time a close takes to drain what is queued.
 */
final class DrainSection implements Section {

	/** The steps of a close timed from {@code closeAsync} besides the close frame's receipt: see {@link DrainCells.DrainRun}. */
	static final int CLOSE_STEPS = 2;

	/**
	 * One drain cell; {@code closeSteps} in milliseconds, in the order of
	 * {@link DrainCells.DrainRun}; {@code barrier} whether the close barrier was on, as
	 * it is by default.
	 */
	record Row(int queued, int messageSize, boolean barrier, Samples transfer, Samples drain, Samples ratio,
			Samples queuedAtClose, Samples[] closeSteps) {

		String label() {
			return Bench.bytes(this.queued) + (this.barrier ? "" : ", close barrier off");
		}

	}

	private final List<Row> rows = new ArrayList<>();

	private double[][] idleClose;

	void record(int queued, int messageSize, boolean barrier, double[] transferMillis, double[] drainMillis,
			double[] queuedAtClose, double[][] closeStepsMillis) {
		Samples[] closeSteps = new Samples[CLOSE_STEPS];
		for (int i = 0; i < CLOSE_STEPS; i++) {
			closeSteps[i] = new Samples(closeStepsMillis[i]);
		}
		this.rows.add(new Row(queued, messageSize, barrier, new Samples(transferMillis), new Samples(drainMillis),
				Samples.ratios(drainMillis, transferMillis), new Samples(queuedAtClose), closeSteps));
	}

	void idleClose(double[] plainMillis, double[] drainedMillis) {
		this.idleClose = new double[][] { plainMillis, drainedMillis };
	}

	/** The drain cells with the close barrier on, as it is by default, for the chart. */
	List<Row> rows() {
		return this.rows.stream().filter(Row::barrier).toList();
	}

	@Override
	public void render(Markdown md) {
		if (this.rows.isEmpty()) {
			return;
		}
		if (this.idleClose != null) {
			md.text("\n### Close of an idle session (the fixed cost of a close)\n\n")
				.text("One message sent and read by the client, then the close.\n\n")
				.text("| session | close → close frame at client (ms) |\n|---|---|\n")
				.line("| plain session, `close(NORMAL)` | %s |", new Samples(this.idleClose[0]).format("%.2f"))
				.line("| wsdrain, `closeAsync(NORMAL)` | %s |", new Samples(this.idleClose[1]).format("%.2f"));
		}
		md.text("\n### Drain time\n\n")
			.text("64 KB messages handed to the session while the client reads nothing, on one connection: "
					+ "first they cross with no close (client resumed at t0, until the last message arrives), "
					+ "then the same bytes are queued again and `closeAsync(NORMAL)` is called as the client "
					+ "resumes (t0, until the client receives the close frame, after every message). The cell with "
					+ "the close barrier off (a `/plain` session in a draining session whose barrier is off) shows "
					+ "what the same close costs without the barrier's round trip.\n\n")
			.text("| queued | of which still in wsdrain's queue at t0 | same bytes, no close (ms) | "
					+ "closeAsync → close frame at client (ms) | ratio | target | met |\n")
			.text("|---|---|---|---|---|---|---|\n");
		for (Row row : this.rows) {
			md.line("| %s | %s MB | %s | %s | %s | %s | %s |", row.label(),
					new Samples(megabytes(row.queuedAtClose())).format("%.1f"), row.transfer().format("%.1f"),
					row.drain().format("%.1f"), row.ratio().format("%.2f"),
					row.barrier() ? Markdown.bound(Targets.DRAIN, "%.1f", false) : "–",
					row.barrier() ? Targets.verdict(row.ratio(), Targets.DRAIN, false) : "–");
		}
		md.text("\nWhere the close's time goes, in the same runs: milliseconds from `closeAsync` to each step at "
				+ "the client. The close barrier's Ping follows the last message on the connection, and the close "
				+ "frame follows its Pong: from the Ping to the close frame lies the barrier's round trip (the "
				+ "client's Pong, the container's read of it, on whose thread the close frame is written, and "
				+ "the close frame's way back).\n\n")
			.text("| queued | last message | the barrier's Ping | close frame |\n")
			.text("|---|---|---|---|\n");
		for (Row row : this.rows) {
			md.line("| %s | %s | %s | %s |", row.label(), row.closeSteps()[0].format("%.2f"),
					row.barrier() ? row.closeSteps()[1].format("%.2f") : "–", row.drain().format("%.2f"));
		}
	}

	@Override
	public void targets(Markdown md) {
		for (Row row : rows()) {
			if (row.queued() == Bench.MB) {
				md.targetRow("`closeAsync` after 1 MB / the transfer alone", row.ratio(), "%.2f", Targets.DRAIN, "%.1f",
						false);
			}
		}
	}

	/** A cell's median, smallest and largest run in MB: the three values its summary shows. */
	private static double[] megabytes(Samples bytes) {
		return new double[] { bytes.median() / Bench.MB, bytes.min() / Bench.MB, bytes.max() / Bench.MB };
	}

}

package io.github.wsdrain.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The fixed cost of a close, and the time a close takes to drain what is queued.
 */
final class DrainSection implements Section {

	/**
	 * One drain cell, in milliseconds, from the runs of {@link DrainCells.DrainRun}.
	 *
	 * @param queued the bytes queued
	 * @param messageSize the size of each message
	 * @param barrier whether the close barrier was on, as it is by default
	 * @param transfer the same bytes, no close
	 * @param drain {@code closeAsync} → the close frame at the client
	 * @param ratio per run, drain over transfer
	 * @param queuedAtClose bytes still in wsdrain's queue at {@code closeAsync}
	 * @param lastMessage {@code closeAsync} → the last message at the client
	 * @param ping {@code closeAsync} → the barrier's Ping at the client; {@code null}
	 * without the barrier
	 * @param pingToClose the barrier's Ping → the close frame at the client, per run;
	 * {@code null} without the barrier
	 */
	record Row(int queued, int messageSize, boolean barrier, Samples transfer, Samples drain, Samples ratio,
			Samples queuedAtClose, Samples lastMessage, Samples ping, Samples pingToClose) {

		String label() {
			return Bench.bytes(this.queued) + (this.barrier ? "" : ", close barrier off");
		}

	}

	private final List<Row> rows = new ArrayList<>();

	private double[][] idleClose;

	void record(int queued, int messageSize, boolean barrier, List<DrainCells.DrainRun> runs) {
		double[] transfer = millis(runs, DrainCells.DrainRun::transferNanos);
		double[] drain = millis(runs, DrainCells.DrainRun::drainNanos);
		double[] queuedAtClose = runs.stream().mapToDouble(DrainCells.DrainRun::queuedAtClose).toArray();
		this.rows.add(new Row(queued, messageSize, barrier, new Samples(transfer), new Samples(drain),
				Samples.ratios(drain, transfer), new Samples(queuedAtClose),
				new Samples(millis(runs, DrainCells.DrainRun::lastMessageNanos)),
				barrier ? new Samples(millis(runs, DrainCells.DrainRun::pingNanos)) : null,
				barrier ? new Samples(millis(runs, (run) -> run.drainNanos() - run.pingNanos())) : null));
	}

	private static double[] millis(List<DrainCells.DrainRun> runs, ToLongFunction<DrainCells.DrainRun> nanos) {
		return runs.stream().mapToDouble((run) -> nanos.applyAsLong(run) / 1e6).toArray();
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
					+ "the close barrier off (a `/plain` session in a draining session whose barrier is off), in ABBA "
					+ "pairs with the 1 MB cell, shows what the same close costs without the barrier's round trip.\n\n")
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
		md.text("\nWhere the close's time goes, in the same runs, as the client's listener saw it: from "
				+ "`closeAsync` to the last message and to the close barrier's Ping, which follows the last message "
				+ "on the connection, then from the Ping to the close frame, which follows the Pong: the barrier's "
				+ "round trip (the client's Pong, which the JDK sends before it hands the Ping to the listener, the "
				+ "container's read of it, normally on whose thread the close frame is written, and the close "
				+ "frame's way to the client).\n\n")
			.text("| queued | `closeAsync` → last message (ms) | `closeAsync` → the barrier's Ping (ms) | "
					+ "the barrier's Ping → close frame (ms) |\n")
			.text("|---|---|---|---|\n");
		for (Row row : this.rows) {
			md.line("| %s | %s | %s | %s |", row.label(), row.lastMessage().format("%.2f"),
					row.barrier() ? row.ping().format("%.2f") : "–",
					row.barrier() ? row.pingToClose().format("%.2f") : "–");
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

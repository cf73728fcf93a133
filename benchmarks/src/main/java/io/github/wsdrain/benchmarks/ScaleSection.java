package io.github.wsdrain.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * N sessions streaming, then all closed: what was delivered, how long the close of all
 * took, and the heap per session.
 */
final class ScaleSection implements Section {

	/** The size whose close of all sessions has a target. */
	private static final int TARGET_SESSIONS = 10_000;

	/** One size: its runs, and the heap per session without wsdrain if that was measured. */
	private record Row(int sessions, Samples closeAll, Samples futures, Samples delivered, Samples peakThreads,
			Samples heapDrained, Samples heapPlain, Samples heapAdded) {

	}

	private final List<Row> rows = new ArrayList<>();

	void record(int count, double[] closeAllMillis, double[] futuresMillis, double[] delivered, double[] peakThreads,
			double[] heapDrained, double[] heapPlain) {
		this.rows.add(new Row(count, new Samples(closeAllMillis), new Samples(futuresMillis), new Samples(delivered),
				new Samples(peakThreads), new Samples(heapDrained), (heapPlain != null) ? new Samples(heapPlain) : null,
				(heapPlain != null) ? new Samples(difference(heapDrained, heapPlain)) : null));
	}

	@Override
	public void render(Markdown md) {
		if (this.rows.isEmpty()) {
			return;
		}
		md.text("\n### Scale: N sessions streaming, then all closed\n\n")
			.text("Clients: N WebSocket connections in a second JVM, started once for the section, each run "
					+ "opening new connections (10,000 connections need 20,000 sockets, more open files than one "
					+ "process may have here), reading the same monotonic clock: a minimal "
					+ "non-blocking client on `java.nio`, two selector threads that count every data frame without "
					+ "copying it and answer each Ping and the close frame as soon as they read them, so that the "
					+ "clients read as fast as the server writes (N JDK WebSockets read about 10,000 messages/s "
					+ "at 10,000 connections, and the close waited for them to read what was in their sockets). "
					+ "Two server "
					+ "threads send 1 KB messages to every session in turn; after 1 s every session in "
					+ "`DrainingSessionRegistry.getSessions()` gets `closeAsync(GOING_AWAY)` while they keep "
					+ "sending: the drain a graceful shutdown runs, called directly. Lost = messages whose "
					+ "`sendMessage` returned minus messages the clients received; every run checks it is 0, that "
					+ "no `CloseResult` reports a drop or a timeout and that every client got a 1001 close frame. "
					+ "The `CloseResult` futures complete once the server has written every close frame (after "
					+ "what was queued, and the close barrier's Ping and Pong); the last close frame at a client "
					+ "adds the clients' reading of it. Heap: used heap after GC with the N clients connected "
					+ "and idle, minus before, per session, on `/drained` and (at 1,000 sessions) on `/plain` "
					+ "(excluded path, stock Spring). The first size's runs follow one unmeasured warm-up run.\n\n")
			.text("| sessions | messages delivered | lost | closeAsync on all → last close frame at a client (ms) | "
					+ "→ all CloseResult futures (ms) | peak live threads in the JVM while closing | "
					+ "heap per idle session, stock Spring (bytes) | with wsdrain (bytes) | "
					+ "added by wsdrain (bytes, mean [95 % interval]) |\n")
			.text("|---:|---|---:|---|---|---|---|---|---|\n");
		for (Row row : this.rows) {
			md.line("| %,d | %s | 0 | %s | %s | %s | %s | %s | %s |", row.sessions(), row.delivered().format("%,.0f"),
					row.closeAll().format("%,.0f"), row.futures().format("%,.0f"), row.peakThreads().format("%,.0f"),
					(row.heapPlain() != null) ? row.heapPlain().format("%,.0f") : "not measured (time budget)",
					row.heapDrained().format("%,.0f"),
					(row.heapAdded() != null) ? row.heapAdded().formatMean("%,.0f") : "–");
		}
	}

	@Override
	public void targets(Markdown md) {
		for (Row row : this.rows) {
			if (row.sessions() == TARGET_SESSIONS) {
				md.targetMeanRow("10,000 sessions: all close frames written (ms)", row.futures(), "%,.0f",
						Targets.CLOSE_ALL_MILLIS);
			}
		}
	}

	private static double[] difference(double[] a, double[] b) {
		double[] result = new double[a.length];
		for (int i = 0; i < a.length; i++) {
			result[i] = a[i] - b[i];
		}
		return result;
	}

}

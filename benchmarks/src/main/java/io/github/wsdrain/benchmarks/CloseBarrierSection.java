package io.github.wsdrain.benchmarks;

/**
 * Closes without and with the close barrier.
 */
final class CloseBarrierSection implements Section {

	private CloseBarrierCell.Result result;

	void record(CloseBarrierCell.Result result) {
		this.result = result;
	}

	@Override
	public void render(Markdown md) {
		if (this.result == null) {
			return;
		}
		CloseBarrierCell.Result result = this.result;
		md.text("\n### Close barrier (a Ping after the last message, the close frame after its Pong)\n\n")
			.text("Clients on the loopback interface that answer a Ping as soon as they read it: a JDK WebSocket "
					+ "for the idle close; for the many sessions, the non-blocking clients of the scale cells (two "
					+ "selector threads in a second JVM, started once for the section, each run opening new "
					+ "connections). Without the barrier: a `/plain` session wrapped in a "
					+ "draining session whose barrier is off; with it: a `/drained` session of the "
					+ "auto-configuration. Each session has sent one message, which its client has read or its "
					+ "container has taken, before the close (a session that sent nothing closes without a Ping). "
					+ "Every close is checked: nothing dropped, and the barrier passed (or was skipped, without "
					+ "it).\n\n")
			.text("| close | without the barrier (ms) | with the barrier (ms) |\n|---|---|---|\n")
			.line("| idle session, `closeAsync(NORMAL)` → close frame at the client | %s | %s |",
					new Samples(result.idleClose()[0]).format("%.2f"), new Samples(result.idleClose()[1]).format("%.2f"))
			.line("| %,d idle sessions, `closeAsync(GOING_AWAY)` on each → last close frame at a client | %s | %s |",
					result.sessions(), new Samples(result.closeAll()[0]).format("%.0f"),
					new Samples(result.closeAll()[1]).format("%.0f"))
			.line("| the same → every `CloseResult` future | %s | %s |", new Samples(result.futures()[0]).format("%.0f"),
					new Samples(result.futures()[1]).format("%.0f"));
	}

}

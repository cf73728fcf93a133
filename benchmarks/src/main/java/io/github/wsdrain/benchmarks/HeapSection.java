package io.github.wsdrain.benchmarks;

/**
 * The heap of wsdrain's own objects per session.
 */
final class HeapSection implements Section {

	private int count;

	private Samples perSession;

	void record(int count, double[] perSession) {
		this.count = count;
		this.perSession = new Samples(perSession);
	}

	@Override
	public void render(Markdown md) {
		if (this.perSession == null) {
			return;
		}
		md.text("\n### Heap per session, wsdrain objects alone\n\n")
			.text("| measured | bytes per session, mean [95 % interval] | target | met |\n|---|---|---|---|\n")
			.line("| %,d draining sessions created by `DrainingSessionRegistry.drainingSession` around container-less "
					+ "Spring `StandardWebSocketSession`s (retained heap after GC, `MemoryMXBean`) | %s | %s | %s |",
					this.count, this.perSession.formatMean("%,.0f"), Markdown.bound(Targets.HEAP_BYTES, "%.0f", false),
					Targets.verdict(this.perSession.mean(), this.perSession.meanLow(), this.perSession.meanHigh(),
							Targets.HEAP_BYTES, false));
	}

	@Override
	public void targets(Markdown md) {
		if (this.perSession != null) {
			md.targetMeanRow("heap per idle session (bytes)", this.perSession, "%,.0f", Targets.HEAP_BYTES);
		}
	}

}

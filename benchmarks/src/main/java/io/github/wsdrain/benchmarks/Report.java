package io.github.wsdrain.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * The results page: one section per family of cells, each holding what its cells
 * measured, and the targets table that opens the page; the chart reads the same.
 */
final class Report {

	private final MachineSection machine = new MachineSection();

	private final MicroSection micro = new MicroSection();

	private final LatencySection latency = new LatencySection();

	private final ThroughputSection throughput = new ThroughputSection();

	private final MetricsSection metrics = new MetricsSection();

	private final DrainSection drain = new DrainSection();

	private final ScaleSection scale = new ScaleSection();

	private final HeapSection heap = new HeapSection();

	private final ClientSection client = new ClientSection();

	private final ProtocolSection protocol = new ProtocolSection();

	private final CloseBarrierSection closeBarrier = new CloseBarrierSection();

	private final RedisSection redis = new RedisSection();

	/** The sections in the order of the page. */
	private final List<Section> page = List.of(this.micro, this.latency, this.throughput, this.metrics, this.drain,
			this.scale, this.heap, this.client, this.protocol, this.closeBarrier, this.redis);

	/** The sections with targets, in the order of the targets table and the chart. */
	private final List<Section> withTargets = List.of(this.throughput, this.latency, this.heap, this.protocol,
			this.redis, this.drain, this.scale);

	MachineSection machine() {
		return this.machine;
	}

	MicroSection micro() {
		return this.micro;
	}

	LatencySection latency() {
		return this.latency;
	}

	ThroughputSection throughput() {
		return this.throughput;
	}

	MetricsSection metrics() {
		return this.metrics;
	}

	DrainSection drain() {
		return this.drain;
	}

	ScaleSection scale() {
		return this.scale;
	}

	HeapSection heap() {
		return this.heap;
	}

	ClientSection client() {
		return this.client;
	}

	ProtocolSection protocol() {
		return this.protocol;
	}

	CloseBarrierSection closeBarrier() {
		return this.closeBarrier;
	}

	RedisSection redis() {
		return this.redis;
	}

	String markdown() {
		Markdown md = new Markdown();
		this.machine.render(md);
		md.text("### Targets\n\n")
			.text("Ratios: geometric mean of the per-pair ratios [95 % interval]. Absolute cells: mean [95 % "
					+ "interval]. *Within noise*: the interval reaches the other side of the target.\n\n")
			.text("| cell | target | measured | met |\n|---|---|---|---|\n");
		this.withTargets.forEach((section) -> section.targets(md));
		md.text("\n");
		this.page.forEach((section) -> section.render(md));
		return md.toString();
	}

	/** The ratios with a target, for the chart. */
	List<Bar> bars() {
		List<Bar> bars = new ArrayList<>();
		this.withTargets.forEach((section) -> section.bars(bars));
		return bars;
	}

}

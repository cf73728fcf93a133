package io.github.wsdrain.benchmarks;

import java.util.List;

/**
 * One section of the results page: what its cells measured, and how the page shows it.
 */
interface Section {

	/** The section's part of the page; nothing when its cells did not run, unless it says so. */
	void render(Markdown md);

	/** The section's rows of the targets table, if it measured any cell with a target. */
	default void targets(Markdown md) {
	}

	/** The section's ratios for the chart, if it measured any with a target. */
	default void bars(List<Bar> bars) {
	}

}

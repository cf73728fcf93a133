package io.github.wsdrain.sample;

import java.net.URI;
import java.time.Duration;

import org.springframework.web.util.UriComponentsBuilder;

/**
 * The query of a {@code /demo/feed} connection, read and checked like the burst's.
 *
 * @param count how many numbered messages, N
 * @param size the length of each message in characters, S
 * @param rate messages per second, R; 0 for as fast as back-pressure allows
 */
record FeedParameters(int count, int size, int rate) {

	static final int MAX_RATE = 1_000_000;

	FeedParameters {
		BurstParameters.requireCountAndSize(count, size);
		BurstParameters.require(rate >= 0 && rate <= MAX_RATE, "rate must be between 0 and " + MAX_RATE);
	}

	static FeedParameters from(URI uri) {
		var query = UriComponentsBuilder.fromUri(uri).build().getQueryParams();
		return new FeedParameters(BurstParameters.intParameter(query.getFirst("count"), 1000, "count"),
				BurstParameters.intParameter(query.getFirst("size"), 64, "size"),
				BurstParameters.intParameter(query.getFirst("rate"), 0, "rate"));
	}

	/** Whether the feed is paced at all. */
	boolean paced() {
		return this.rate > 0;
	}

	/** The time between two messages of a paced feed. */
	Duration interval() {
		return Duration.ofNanos(1_000_000_000L / this.rate);
	}

}

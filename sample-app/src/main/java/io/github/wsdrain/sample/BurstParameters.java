package io.github.wsdrain.sample;

import java.net.URI;

import org.springframework.web.util.UriComponentsBuilder;

/**
 * The query of a {@code /demo/burst} or {@code /plain/burst} connection.
 *
 * @param count how many numbered messages, N
 * @param size the length of each message in characters, S
 * @param threads how many threads send, T
 */
record BurstParameters(int count, int size, int threads) {

	static final int MIN_SIZE = 16;

	/** Caps that keep one connection from taking the heap or the CPU: a burst is back-pressured, not free. */
	static final int MAX_COUNT = 1_000_000;

	static final int MAX_SIZE = 1024 * 1024;

	static final int MAX_THREADS = 16;

	BurstParameters {
		requireCountAndSize(count, size);
		require(threads > 0 && threads <= MAX_THREADS, "threads must be between 1 and " + MAX_THREADS);
		require(threads <= count, "threads must not exceed count");
	}

	/** The checks every endpoint makes on {@code count} and {@code size}. */
	static void requireCountAndSize(int count, int size) {
		require(count > 0, "count must be positive");
		require(count <= MAX_COUNT, "count must be at most " + MAX_COUNT);
		requireSize(size);
	}

	static void requireSize(int size) {
		require(size >= MIN_SIZE, "size must be at least " + MIN_SIZE);
		require(size <= MAX_SIZE, "size must be at most " + MAX_SIZE);
	}

	static BurstParameters from(URI uri) {
		var query = UriComponentsBuilder.fromUri(uri).build().getQueryParams();
		return new BurstParameters(intParameter(query.getFirst("count"), 1000, "count"),
				intParameter(query.getFirst("size"), 64, "size"), intParameter(query.getFirst("threads"), 4, "threads"));
	}

	/** First index of block {@code k}: every block has {@code count / threads} indexes, the last one the rest. */
	int blockStart(int k) {
		return k * (this.count / this.threads);
	}

	int blockEnd(int k) {
		return (k == this.threads - 1) ? this.count : blockStart(k + 1);
	}

	/**
	 * Parse one whole-number query parameter; the feed's parameters are read the same way.
	 * @param value the parameter's value, {@code null} when absent
	 * @param defaultValue the value when absent
	 * @param name the parameter's name, for the message
	 * @return the value
	 * @throws IllegalArgumentException if the value is not a whole number
	 */
	static int intParameter(String value, int defaultValue, String name) {
		if (value == null) {
			return defaultValue;
		}
		try {
			return Integer.parseInt(value);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
		}
	}

	static void require(boolean condition, String message) {
		if (!condition) {
			throw new IllegalArgumentException(message);
		}
	}

}

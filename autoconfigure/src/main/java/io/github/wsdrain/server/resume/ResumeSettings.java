package io.github.wsdrain.server.resume;

import java.time.Duration;

import org.springframework.util.Assert;
import org.springframework.util.unit.DataSize;

/**
 * How long and how much a {@code wsdrain.v1} session keeps for its client.
 *
 * @param ackTimeout how long a close waits for the client to acknowledge everything sent
 * @param window how long a session whose connection was lost waits for the client to
 * resume it
 * @param bufferSize the bytes of sent but unacknowledged frames every session may keep for
 * replay: its replay buffer's base size
 * @param sendTimeLimit how long a sender waits for room in a full replay buffer
 * @param heartbeat how long a connection may stay silent before the server repeats its
 * last acknowledgement, so that clients can tell a quiet connection from a dead one
 * @param maxBufferSize a session's replay buffer when its connection goes live, and the most
 * it grows to (no growth at or below the base size)
 * @param sharedBufferSize the most bytes all replay buffers together hold beyond their
 * base size
 */
public record ResumeSettings(Duration ackTimeout, Duration window, DataSize bufferSize, Duration sendTimeLimit,
		Duration heartbeat, DataSize maxBufferSize, DataSize sharedBufferSize) {

	/** Default heartbeat: below the 60 s idle timeout of common proxies and load balancers (PROTOCOL.md §6). */
	public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(25);

	/** Default most a replay buffer grows to: twice what a 50 ms round trip carries at 320 MB/s (PROTOCOL.md §6). */
	public static final DataSize DEFAULT_MAX_BUFFER_SIZE = DataSize.ofMegabytes(32);

	/** Share of the maximum heap that replay buffers may hold beyond their base size unless configured. */
	public static final int DEFAULT_SHARED_BUFFER_HEAP_DIVISOR = 8;

	/**
	 * Defaults: 5 s acknowledgement timeout, 2 min window, 1 MB buffer growing to 32 MB, 10 s
	 * send time limit, 25 s heartbeat, an eighth of the maximum heap shared.
	 */
	public static final ResumeSettings DEFAULTS = new ResumeSettings(Duration.ofSeconds(5), Duration.ofMinutes(2),
			DataSize.ofMegabytes(1), Duration.ofSeconds(10));

	/** Settings with the default heartbeat and replay buffer growth. */
	public ResumeSettings(Duration ackTimeout, Duration window, DataSize bufferSize, Duration sendTimeLimit) {
		this(ackTimeout, window, bufferSize, sendTimeLimit, DEFAULT_HEARTBEAT);
	}

	/** Settings with the default replay buffer growth. */
	public ResumeSettings(Duration ackTimeout, Duration window, DataSize bufferSize, Duration sendTimeLimit,
			Duration heartbeat) {
		this(ackTimeout, window, bufferSize, sendTimeLimit, heartbeat, DEFAULT_MAX_BUFFER_SIZE,
				defaultSharedBufferSize());
	}

	/**
	 * Return the default bytes replay buffers share beyond their base size: an eighth of the
	 * maximum heap.
	 * @return the default shared buffer size
	 */
	public static DataSize defaultSharedBufferSize() {
		return DataSize.ofBytes(Runtime.getRuntime().maxMemory() / DEFAULT_SHARED_BUFFER_HEAP_DIVISOR);
	}

	public ResumeSettings {
		Assert.isTrue(heartbeat.compareTo(Duration.ZERO) > 0, "heartbeat must be positive");
		Assert.isTrue(ackTimeout.compareTo(Duration.ZERO) > 0, "ackTimeout must be positive");
		Assert.isTrue(window.compareTo(Duration.ZERO) > 0, "window must be positive");
		Assert.isTrue(bufferSize.toBytes() > 0, "bufferSize must be positive");
		Assert.isTrue(sendTimeLimit.compareTo(Duration.ZERO) > 0, "sendTimeLimit must be positive");
		Assert.isTrue(maxBufferSize.toBytes() > 0, "maxBufferSize must be positive");
		Assert.isTrue(sharedBufferSize.toBytes() >= 0, "sharedBufferSize must not be negative");
	}

}

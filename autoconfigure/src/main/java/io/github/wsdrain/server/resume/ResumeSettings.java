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
 * @param bufferSize the most bytes of sent but unacknowledged frames kept for replay
 * @param sendTimeLimit how long a sender waits for room in a full replay buffer
 * @param heartbeat how long a connection may stay silent before the server repeats its
 * last acknowledgement, so that clients can tell a quiet connection from a dead one
 */
public record ResumeSettings(Duration ackTimeout, Duration window, DataSize bufferSize, Duration sendTimeLimit,
		Duration heartbeat) {

	/** Default heartbeat: below the 60 s idle timeout of common proxies and load balancers (PROTOCOL.md §6). */
	public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(25);

	/** Defaults: 5 s acknowledgement timeout, 2 min window, 1 MB buffer, 10 s send time limit, 25 s heartbeat. */
	public static final ResumeSettings DEFAULTS = new ResumeSettings(Duration.ofSeconds(5), Duration.ofMinutes(2),
			DataSize.ofMegabytes(1), Duration.ofSeconds(10));

	/** Settings with the default heartbeat. */
	public ResumeSettings(Duration ackTimeout, Duration window, DataSize bufferSize, Duration sendTimeLimit) {
		this(ackTimeout, window, bufferSize, sendTimeLimit, DEFAULT_HEARTBEAT);
	}

	public ResumeSettings {
		Assert.isTrue(heartbeat.compareTo(Duration.ZERO) > 0, "heartbeat must be positive");
		Assert.isTrue(ackTimeout.compareTo(Duration.ZERO) > 0, "ackTimeout must be positive");
		Assert.isTrue(window.compareTo(Duration.ZERO) > 0, "window must be positive");
		Assert.isTrue(bufferSize.toBytes() > 0, "bufferSize must be positive");
		Assert.isTrue(sendTimeLimit.compareTo(Duration.ZERO) > 0, "sendTimeLimit must be positive");
	}

}

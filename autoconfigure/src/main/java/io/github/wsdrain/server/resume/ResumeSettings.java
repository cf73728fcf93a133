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
 */
public record ResumeSettings(Duration ackTimeout, Duration window, DataSize bufferSize, Duration sendTimeLimit) {

	/** Defaults: 5 s acknowledgement timeout, 2 min window, 1 MB buffer, 10 s send time limit. */
	public static final ResumeSettings DEFAULTS = new ResumeSettings(Duration.ofSeconds(5), Duration.ofMinutes(2),
			DataSize.ofMegabytes(1), Duration.ofSeconds(10));

	public ResumeSettings {
		Assert.isTrue(ackTimeout.compareTo(Duration.ZERO) > 0, "ackTimeout must be positive");
		Assert.isTrue(window.compareTo(Duration.ZERO) > 0, "window must be positive");
		Assert.isTrue(bufferSize.toBytes() > 0, "bufferSize must be positive");
		Assert.isTrue(sendTimeLimit.compareTo(Duration.ZERO) > 0, "sendTimeLimit must be positive");
	}

}

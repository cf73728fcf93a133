package io.github.wsdrain.client;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * Notices a connection that went silent: a {@code wsdrain.v1} server repeats its last
 * acknowledgement after a heartbeat of silence, so a connection without any frame for
 * twice that is half-open (a dead NAT mapping, a proxy that stopped forwarding) and is
 * given up, which starts a resume.
 */
final class SilenceMonitor {

	private SilenceMonitor() {
	}

	/**
	 * Check four times per timeout.
	 * @param timeout the longest silence a live connection may have
	 * @param live the connection to watch, or {@code null} while there is none
	 * @param lastHeardNanos when a frame last arrived
	 * @return the checks, to cancel when the session ends
	 */
	static ScheduledFuture<?> start(Duration timeout, Supplier<@Nullable TransportConnection> live,
			LongSupplier lastHeardNanos) {
		long timeoutNanos = timeout.toNanos();
		long period = Math.max(timeoutNanos / 4, TimeUnit.MILLISECONDS.toNanos(1));
		return ClientThreads.TIMER.scheduleAtFixedRate(() -> {
			TransportConnection transport = live.get();
			if (transport != null && System.nanoTime() - lastHeardNanos.getAsLong() > timeoutNanos) {
				ClientThreads.WORKERS.execute(() -> transport
					.abort("No frame within the heartbeat timeout of " + timeout.toMillis() + " ms"));
			}
		}, period, period, TimeUnit.NANOSECONDS);
	}

}

package io.github.wsdrain.client;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;

/**
 * Notices a connection that went silent: a {@code wsdrain.v1} server repeats its last
 * acknowledgement after a heartbeat of silence, so a connection without any frame for
 * twice that is half-open (a dead NAT mapping, a proxy that stopped forwarding) and is
 * given up, which starts a resume.
 */
final class SilenceMonitor {

	private final Duration timeout;

	private final Supplier<@Nullable TransportConnection> live;

	private final TaskScheduler scheduler;

	private final Executor executor;

	/** When a frame last arrived: the server's heartbeat keeps it recent on a live connection. */
	private volatile long lastHeardNanos = System.nanoTime();

	private volatile @Nullable ScheduledFuture<?> checks;

	/**
	 * Create a monitor; {@link #start()} starts it.
	 * @param timeout the longest silence a live connection may have
	 * @param live the connection to watch, or {@code null} while there is none
	 * @param scheduler runs the checks
	 * @param executor closes a silent connection, off the scheduler
	 */
	SilenceMonitor(Duration timeout, Supplier<@Nullable TransportConnection> live, TaskScheduler scheduler,
			Executor executor) {
		this.timeout = timeout;
		this.live = live;
		this.scheduler = scheduler;
		this.executor = executor;
	}

	/** Check four times per timeout, until {@link #stop()}. */
	void start() {
		long timeoutNanos = this.timeout.toNanos();
		long period = Math.max(timeoutNanos / 4, TimeUnit.MILLISECONDS.toNanos(1));
		this.checks = this.scheduler.scheduleAtFixedRate(() -> {
			TransportConnection transport = this.live.get();
			if (transport != null && System.nanoTime() - this.lastHeardNanos > timeoutNanos) {
				this.executor.execute(() -> transport
					.abort("No frame within the heartbeat timeout of " + this.timeout.toMillis() + " ms"));
			}
		}, Duration.ofNanos(period));
	}

	/** A frame arrived, or a new connection went live: its silence starts afresh. */
	void heard() {
		this.lastHeardNanos = System.nanoTime();
	}

	/** The session is over. */
	void stop() {
		ScheduledFuture<?> current = this.checks;
		if (current != null) {
			current.cancel(false);
		}
	}

}

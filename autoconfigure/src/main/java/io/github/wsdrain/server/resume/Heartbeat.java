package io.github.wsdrain.server.resume;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps quiet {@code wsdrain.v1} connections audible: a connection the server has written
 * nothing to for the heartbeat gets its last acknowledgement again ({@code a:<n>}, a
 * frame every client already accepts). A browser cannot see WebSocket pings, so this is
 * how it tells a quiet connection from a half-open one: twice the heartbeat without a
 * frame means the connection is gone (PROTOCOL.md §6).
 * <p>
 * One task checks every session four times per heartbeat, so the longest silence is
 * 1.25 heartbeats; the writes run on the writers, never on the timer.
 */
final class Heartbeat {

	private final ScheduledFuture<?> task;

	private Heartbeat(ScheduledFuture<?> task) {
		this.task = task;
	}

	static Heartbeat start(Duration heartbeat, Supplier<Collection<ResumableSession>> sessions,
			ScheduledExecutorService timer, Executor writers) {
		long heartbeatNanos = heartbeat.toNanos();
		long period = Math.max(heartbeatNanos / 4, TimeUnit.MILLISECONDS.toNanos(1));
		ScheduledFuture<?> task = timer.scheduleAtFixedRate(() -> {
			long silentSince = System.nanoTime() - heartbeatNanos;
			for (ResumableSession session : sessions.get()) {
				if (session.isSilentSince(silentSince)) {
					writers.execute(session::heartbeat);
				}
			}
		}, period, period, TimeUnit.NANOSECONDS);
		return new Heartbeat(task);
	}

	void stop() {
		this.task.cancel(false);
	}

}

package io.github.wsdrain.server;

import io.github.wsdrain.session.DrainingWebSocketSession;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Ends every session whose write to the peer has run past the send time limit: a peer
 * that stops reading would otherwise hold the writing thread (the application's sender, a
 * drain, a close) until the container gives up. One pass over the open sessions on the
 * server's timer every {@code interval}, so a write costs nothing extra; the session cuts
 * its connection on the executor.
 */
final class WriteWatchdog implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(WriteWatchdog.class);

	private final Collection<DrainingWebSocketSession> sessions;

	private final ScheduledFuture<?> task;

	WriteWatchdog(Collection<DrainingWebSocketSession> sessions, Duration interval, ScheduledExecutorService timer) {
		this.sessions = sessions;
		this.task = timer.scheduleWithFixedDelay(this::check, interval.toNanos(), interval.toNanos(),
				TimeUnit.NANOSECONDS);
	}

	private void check() {
		try {
			for (DrainingWebSocketSession session : this.sessions) {
				session.endStuckWrite();
			}
		}
		catch (RuntimeException ex) {
			// A periodic task that throws is never run again.
			logger.error("Write watchdog failed; checking again at the next interval", ex);
		}
	}

	@Override
	public void close() {
		this.task.cancel(false);
	}

}

package io.github.wsdrain.server.resume;

import java.time.Duration;
import java.util.List;

import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.support.RateLimitedLog;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.CloseStatus;

/**
 * Tells the {@link ResumeListener listeners} and the log what happened to resumes,
 * evictions and the store: failures at WARN, at most one line per interval and kind,
 * since a network blip makes every client resume at once.
 */
final class ResumeEvents {

	/** The category users already configure for resume failures. */
	private static final Log logger = LogFactory.getLog(ResumableSessions.class);

	/** At most one WARN line per kind of failed resume in this interval. */
	private static final Duration WARN_INTERVAL = Duration.ofSeconds(10);

	/**
	 * A connection that delivered a frame this recently is live, not half-open: a resume
	 * that replaces it may be a stolen token at work. Clients acknowledge within 100 ms.
	 */
	static final Duration RECENTLY_ACTIVE = Duration.ofSeconds(1);

	private final List<ResumeListener> listeners;

	private final RateLimitedLog notRecoveredWarnings = new RateLimitedLog(logger, WARN_INTERVAL);

	private final RateLimitedLog rejectedWarnings = new RateLimitedLog(logger, WARN_INTERVAL);

	private final RateLimitedLog evictionWarnings = new RateLimitedLog(logger, WARN_INTERVAL);

	private final RateLimitedLog takeoverWarnings = new RateLimitedLog(logger, WARN_INTERVAL);

	private final RateLimitedLog storeWarnings = new RateLimitedLog(logger, WARN_INTERVAL);

	ResumeEvents(List<ResumeListener> listeners) {
		this.listeners = List.copyOf(listeners);
	}

	/** Each attempt at DEBUG as well, so that one client's can be followed. */
	void resumeAttempted(DrainingWebSocketSession connection, ResumeOutcome outcome, @Nullable CloseStatus status) {
		this.listeners.forEach((listener) -> listener.resumeAttempted(outcome));
		if (outcome == ResumeOutcome.RESUMED) {
			// ResumableSession logs the resume, with its replay, at DEBUG.
			return;
		}
		String line = "WebSocket connection " + connection.getId() + ": resume " + outcome.tagValue()
				+ ((status != null) ? ", closed with " + status
						: " (token unknown, expired, used up or another user's, or its session just ended)");
		RateLimitedLog warnings = (outcome == ResumeOutcome.REJECTED) ? this.rejectedWarnings
				: this.notRecoveredWarnings;
		warnings.warn(() -> line);
		logger.debug(line);
	}

	/** The store failed a new session or a resume: the client tries again, later or elsewhere. */
	void storeFailed(DrainingWebSocketSession connection, ResumeStoreException ex) {
		this.storeWarnings.warn(() -> "WebSocket connection " + connection.getId() + " closed with 1011: "
				+ ex.getMessage());
		this.listeners.forEach(ResumeListener::storeFailed);
	}

	/** The store did not record a message the app sent: the session ended with 1011. */
	void storeFailed(ResumableSession session, ResumeStoreException ex) {
		this.storeWarnings.warn(() -> "WebSocket session " + session.getId() + " ended with 1011: " + ex.getMessage());
		this.listeners.forEach(ResumeListener::storeFailed);
	}

	/** A client resumed here a session another node had. */
	void movedIn(ResumeClaim.SessionOrigin origin) {
		this.listeners.forEach((listener) -> listener.sessionMovedIn(origin));
	}

	/** The detached limits chose a session to end. */
	void evicted(DetachedSessions.Eviction eviction) {
		ResumableSession session = eviction.session();
		this.listeners.forEach((listener) -> listener.detachedSessionEvicted(eviction.limit()));
		this.evictionWarnings.warn(() -> "WebSocket session " + session.getId() + " ended while waiting for a resume: "
				+ "detached sessions over the limit '" + eviction.limit().tagValue() + "' (client address "
				+ session.clientAddress() + "); its client will get not recovered");
	}

	/**
	 * A resume replaced a connection the server still held: half-open usually, but if it
	 * delivered a frame just now, someone else may hold the token.
	 */
	void connectionReplaced(ResumableSession session, DrainingWebSocketSession replaced, long quietNanos) {
		boolean recentlyActive = quietNanos < RECENTLY_ACTIVE.toNanos();
		this.listeners.forEach((listener) -> listener.connectionReplaced(recentlyActive));
		if (recentlyActive) {
			this.takeoverWarnings.warn(() -> "WebSocket session " + session.getId() + ": a resume replaced connection "
					+ replaced.getId() + ", which delivered a frame " + (quietNanos / 1_000_000)
					+ " ms before; if its client did not reconnect, someone else used its token");
		}
	}

}

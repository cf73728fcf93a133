package io.github.wsdrain.server.resume;

/**
 * Callback from {@link ResumableSessions} on every resume attempt, eviction and replaced
 * connection, for metrics.
 */
@FunctionalInterface
public interface ResumeListener {

	/**
	 * Called once a resume attempt has been decided, on the thread that accepted the
	 * connection: keep it short.
	 * @param outcome what became of the attempt
	 */
	void resumeAttempted(ResumeOutcome outcome);

	/**
	 * Called when a session that waited for a resume was ended because detached sessions
	 * were over a limit; its client will get <em>not recovered</em>.
	 * @param limit the limit that was exceeded
	 */
	default void detachedSessionEvicted(DetachedLimit limit) {
	}

	/**
	 * Called when a resume replaced a connection the server still held.
	 * @param recentlyActive whether that connection had delivered a frame within the last
	 * second: a live connection, not a half-open one
	 */
	default void connectionReplaced(boolean recentlyActive) {
	}

	/**
	 * Called when the resume store failed a new session or a resume (its connection was
	 * closed with 1011), or a message the app sent (its session ended with 1011).
	 */
	default void storeFailed() {
	}

	/**
	 * Called when a client resumed here a session another node had.
	 * @param origin where it came from
	 */
	default void sessionMovedIn(ResumeClaim.SessionOrigin origin) {
	}

}

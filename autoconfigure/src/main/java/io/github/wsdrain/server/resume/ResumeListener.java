package io.github.wsdrain.server.resume;

/**
 * Callback from {@link ResumableSessions} on every resume attempt, for metrics.
 */
@FunctionalInterface
public interface ResumeListener {

	/**
	 * Called once a resume attempt has been decided, on the thread that accepted the
	 * connection: keep it short.
	 * @param outcome what became of the attempt
	 */
	void resumeAttempted(ResumeOutcome outcome);

}

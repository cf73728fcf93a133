package io.github.wsdrain.server.resume;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketMessage;

/**
 * Writes one session to its {@link SessionJournal}: outbound messages before they reach
 * the connection, retried while the store is unreachable for at most the send time limit
 * (the sender waits, as for a full replay buffer); deliveries; acknowledgements, tokens
 * and the end, whose failures are only logged (the store counts them) since they lose
 * nothing a resume needs: a stale acknowledgement replays a little more, a stale token
 * resumes nothing.
 */
final class JournalWriter {

	private static final Log logger = LogFactory.getLog(JournalWriter.class);

	/** First pause between two attempts at an unreachable store; doubled up to {@link #MAX_BACKOFF}. */
	private static final Duration FIRST_BACKOFF = Duration.ofMillis(10);

	private static final Duration MAX_BACKOFF = Duration.ofMillis(500);

	private final Duration sendTimeLimit;

	private final SessionJournal journal;

	JournalWriter(SessionJournal journal, Duration sendTimeLimit) {
		this.journal = journal;
		this.sendTimeLimit = sendTimeLimit;
	}

	SessionJournal journal() {
		return this.journal;
	}

	/**
	 * Record a message before it is written; wait while the store is unreachable.
	 * @throws SessionMovedException if another node took the session over
	 * @throws ResumeStoreException if the store lost the session, or stayed unreachable
	 * for the send time limit
	 */
	void append(long seq, WebSocketMessage<?> message) {
		long deadline = System.nanoTime() + this.sendTimeLimit.toNanos();
		long backoff = FIRST_BACKOFF.toNanos();
		for (int attempt = 1;; attempt++) {
			try {
				this.journal.append(seq, List.of(message));
				return;
			}
			catch (SessionMovedException ex) {
				throw ex;
			}
			catch (ResumeStoreException ex) {
				long left = deadline - System.nanoTime();
				if (left <= 0 || ex instanceof SessionLostException) {
					throw ex;
				}
				if (logger.isDebugEnabled()) {
					logger.debug("Journal " + this.journal.id() + ": attempt " + attempt + " to record message " + seq
							+ " failed, retrying", ex);
				}
				LockSupport.parkNanos(Math.min(backoff, left));
				backoff = Math.min(backoff * 2, MAX_BACKOFF.toNanos());
			}
		}
	}

	/**
	 * Record the last client message delivered to the app.
	 * @throws SessionMovedException if another node took the session over
	 */
	void delivered(long seq) {
		try {
			this.journal.delivered(seq);
		}
		catch (SessionMovedException ex) {
			throw ex;
		}
		catch (ResumeStoreException ex) {
			// After a crash now, the client would send this message again: the move is flagged as possibly repeating.
			logger.debug("Journal " + this.journal.id() + ": delivery " + seq + " not recorded", ex);
		}
	}

	void acknowledged(long seq) {
		quietly(() -> this.journal.acknowledged(seq), "acknowledgement " + seq);
	}

	/** @return whether the store has the session marked as handed over */
	boolean handOver(long delivered) {
		return quietly(() -> this.journal.handOver(delivered), "hand-over");
	}

	void released(long delivered) {
		quietly(() -> this.journal.released(delivered), "release");
	}

	void ended(CloseStatus status, boolean complete) {
		quietly(() -> this.journal.ended(status, complete), "end");
	}

	private boolean quietly(Runnable write, String what) {
		try {
			write.run();
			return true;
		}
		catch (ResumeStoreException ex) {
			logger.debug("Journal " + this.journal.id() + ": " + what + " not recorded", ex);
			return false;
		}
	}

}

package io.github.wsdrain.server.resume;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * The tokens that resume one session (PROTOCOL.md §4.5, §4.7): a new one per connection;
 * until the client confirms the connection, the ones before it too, since a client whose
 * connection dropped before the session frame arrived never learned the new one. Guarded
 * by the session's state lock.
 */
final class ResumeTokens {

	private final ResumableSessions sessions;

	private final ResumableSession session;

	private final Set<String> tokens = new HashSet<>();

	private @Nullable String current;

	private volatile boolean confirmed;

	ResumeTokens(ResumableSessions sessions, ResumableSession session) {
		this.sessions = sessions;
		this.session = session;
	}

	/**
	 * Issue the token of a new connection; the older ones stay valid until it is confirmed.
	 * @return the token for its session frame
	 */
	String next() {
		String token = this.sessions.issueToken(this.session);
		try {
			// In the store before the client can learn it: any node can then resume with it.
			this.session.journal().tokenIssued(token);
		}
		catch (ResumeStoreException ex) {
			this.sessions.forget(token);
			throw ex;
		}
		this.current = token;
		this.tokens.add(token);
		this.confirmed = false;
		return token;
	}

	/**
	 * Take the token another node issued, with which the client moved the session here:
	 * used up, like any older token, once the client confirms this connection.
	 * @param token the token the client presented
	 */
	void adopt(String token) {
		this.tokens.add(token);
	}

	/** Whether the current connection has been confirmed; read without the lock. */
	boolean isConfirmed() {
		return this.confirmed;
	}

	/** The client's first frame proves it has the session frame: older tokens are now used up. */
	void confirm() {
		this.confirmed = true;
		List<String> retired = new ArrayList<>();
		this.tokens.removeIf((old) -> {
			boolean retire = !old.equals(this.current);
			if (retire) {
				this.sessions.forget(old);
				retired.add(old);
			}
			return retire;
		});
		if (!retired.isEmpty() && this.session.journal() != SessionJournal.NONE) {
			SessionJournal journal = this.session.journal();
			this.sessions.writers().execute(() -> {
				try {
					journal.tokensRetired(retired);
				}
				catch (ResumeStoreException ex) {
					// Its key expires with the window; its session's epoch has moved on meanwhile anyway.
				}
			});
		}
	}

	/**
	 * The session ended: forget its tokens, at once or, for a session that ended complete,
	 * after the resume window, so that a client whose connection dropped with the close
	 * frame comes back to be told so, not that its session was lost.
	 * @param complete whether the app closed it with everything acknowledged
	 */
	void end(boolean complete) {
		if (complete) {
			Set<String> retired = Set.copyOf(this.tokens);
			this.sessions.timer()
				.schedule(() -> retired.forEach(this.sessions::forget), this.sessions.getSettings().window().toMillis(),
						TimeUnit.MILLISECONDS);
		}
		else {
			this.tokens.forEach(this.sessions::forget);
		}
		this.tokens.clear();
	}

}

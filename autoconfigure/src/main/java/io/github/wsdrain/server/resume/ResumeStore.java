package io.github.wsdrain.server.resume;

import org.jspecify.annotations.Nullable;

/**
 * Where {@code wsdrain.v1} sessions are kept beyond this node's memory, so that a client
 * can resume on another node: each session's owner, fencing epoch, hashed tokens and
 * the frames its client has not acknowledged. {@link #MEMORY} keeps nothing outside the
 * node (the default); the Redis store shares sessions between nodes.
 * <p>
 * Every node keeps the sessions it serves in memory as well: a resume on the same node
 * replays from memory, and the store only confirms that no other node took the session
 * meanwhile.
 */
public interface ResumeStore {

	/** Sessions live in this node's memory only: a resume on another node is not recovered. */
	ResumeStore MEMORY = new ResumeStore() {

		@Override
		public String nodeId() {
			return "local";
		}

		@Override
		public SessionJournal open(SessionKey key) {
			return SessionJournal.NONE;
		}

		@Override
		public ResumeClaim claim(ClaimRequest request) {
			return ResumeClaim.Unknown.INSTANCE;
		}

		@Override
		public void onMovedAway(MovedListener listener) {
		}

		@Override
		public boolean isShared() {
			return false;
		}

	};

	/**
	 * Return the id of this node, as recorded as the owner of its sessions.
	 * @return the node id
	 */
	String nodeId();

	/**
	 * Record a new session owned by this node.
	 * @param key what a resume must present to take it
	 * @return the session's journal, through which its owner records it
	 * @throws ResumeStoreException if the store cannot be reached
	 */
	SessionJournal open(SessionKey key);

	/**
	 * Take a session over for this node, atomically: the token must be one of the
	 * session's, the principal and endpoint the session's, {@code last} between the
	 * client's acknowledgement and the highest sequence written; the epoch moves on and
	 * the previous owner is fenced off.
	 * @param request the resume attempt
	 * @return what became of it
	 * @throws ResumeStoreException if the store cannot be reached
	 */
	ResumeClaim claim(ClaimRequest request);

	/**
	 * Listen for sessions of this node that another node took over.
	 * @param listener called for each such session
	 */
	void onMovedAway(MovedListener listener);

	/**
	 * Return whether sessions in this store can be resumed on another node.
	 * @return {@code false} for the memory store
	 */
	boolean isShared();

	/**
	 * Told when another node took over a session of this node.
	 */
	@FunctionalInterface
	interface MovedListener {

		/**
		 * A session moved away: it ends here unless this node holds it at this epoch or later.
		 * @param journalId the session's id in the store
		 * @param epoch the epoch the other node holds it with
		 */
		void movedAway(String journalId, long epoch);

	}

	/**
	 * What identifies a session to a resume besides its token.
	 *
	 * @param principal the name of the principal the session was opened with, if any
	 * @param endpoint the path of the endpoint that opened it
	 */
	record SessionKey(@Nullable String principal, String endpoint) {
	}

	/**
	 * A resume attempt as the store sees it.
	 *
	 * @param token the token the client presented
	 * @param principal the connection's principal name, if any
	 * @param endpoint the path the connection came through
	 * @param last the highest server sequence the client says it received
	 * @param localId the journal id of the session this node holds for the token, if any:
	 * when this node is still its owner, nothing needs to be read back
	 * @param localEpoch that session's epoch, 0 without one
	 */
	record ClaimRequest(String token, @Nullable String principal, String endpoint, long last,
			@Nullable String localId, long localEpoch) {
	}

}

package io.github.wsdrain.session;

/**
 * Callbacks from draining sessions, for logging and metrics.
 */
public interface DrainingSessionListener {

	/**
	 * Called when accepted messages are dropped instead of sent.
	 * @param session the session that dropped them
	 * @param reason why they were dropped
	 * @param count how many were dropped
	 */
	default void messagesDropped(DrainingWebSocketSession session, DropReason reason, long count) {
	}

	/**
	 * Called when Spring's STOMP outbound channel delivers a message that no session
	 * takes: the session was closing ({@link DropReason#SESSION_CLOSING}) or gone
	 * ({@link DropReason#NO_SESSION}). Spring's own threads are the senders, so nobody
	 * else learns of it.
	 * @param sessionId the id of the session the message was for
	 * @param reason why it was not delivered
	 */
	default void messageUndelivered(String sessionId, DropReason reason) {
	}

	/**
	 * Called when a write to the peer has run past the send time limit, just before the
	 * session reports its close (1011) and its connection is cut.
	 * @param session the session
	 * @param writeBytes the payload bytes of the stuck write (0 for the close barrier's
	 * Ping or the close frame)
	 * @param writeTime how long the write had taken
	 */
	default void writeTimedOut(DrainingWebSocketSession session, long writeBytes, java.time.Duration writeTime) {
	}

	/**
	 * Called once when a session has closed, with what its drain achieved.
	 * @param session the closed session
	 * @param result the close result
	 */
	default void sessionClosed(DrainingWebSocketSession session, CloseResult result) {
	}

}

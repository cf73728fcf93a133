package io.github.wsdrain.server.resume;

import io.github.wsdrain.protocol.ProtocolViolationException;
import io.github.wsdrain.session.DrainingWebSocketSession;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHandler;

/**
 * Resumes through a shared {@link ResumeStore}: the store decides, atomically, whether the
 * token resumes a session and moves it to this node. A session this node still holds at
 * the store's previous epoch resumes from memory; one another node had is restored from
 * the store, and the copy this node may hold from an earlier visit ends.
 */
final class StoreResumes {

	private static final Log logger = LogFactory.getLog(StoreResumes.class);

	private final ResumableSessions sessions;

	private final ResumeStore store;

	StoreResumes(ResumableSessions sessions, ResumeStore store) {
		this.sessions = sessions;
		this.store = store;
	}

	void resume(String token, DrainingWebSocketSession connection, WebSocketHandler handler, long last) {
		try {
			claim(token, connection, handler, last);
		}
		catch (SessionMovedException ex) {
			// Another attempt of the client took the session while this one waited: it is stale.
			connection.close(CloseStatus.GOING_AWAY.withReason("Session continues on another node"));
		}
		catch (ResumeStoreException ex) {
			this.sessions.storeFailed(connection, ex);
		}
		catch (Exception ex) {
			logger.warn("WebSocket connection " + connection.getId() + ": resume failed", ex);
			connection.close(CloseStatus.SERVER_ERROR);
		}
	}

	private void claim(String token, DrainingWebSocketSession connection, WebSocketHandler handler, long last)
			throws Exception {
		if (!connection.isOpen()) {
			// The client gave this attempt up while it waited: a claim now would take the session
			// from the attempt the client is making instead.
			return;
		}
		ResumableSession local = this.sessions.claim(token, connection, handler);
		SessionJournal localJournal = (local != null) ? local.journal() : null;
		ResumeScope scope = ResumeScope.of(handler, connection.getUri(), connection.getPrincipal());
		ResumeClaim claim = this.store.claim(new ResumeStore.ClaimRequest(token, scope.principalName(),
				String.valueOf(scope.path()), last, (localJournal != null) ? localJournal.id() : null,
				(localJournal != null) ? localJournal.epoch() : 0));
		if (claim instanceof ResumeClaim.Claimed claimed) {
			moveHere(token, claimed, local, connection, handler, last);
		}
		else if (claim instanceof ResumeClaim.OutOfRange range) {
			ProtocolViolationException violation = ProtocolViolationException.policy(range.reason());
			this.sessions.events().resumeAttempted(connection, ResumeOutcome.REJECTED, violation.getStatus());
			connection.close(violation.getStatus());
		}
		else if (claim instanceof ResumeClaim.Complete complete) {
			// The client has everything: it is told how the session ended (PROTOCOL.md §4.7).
			this.sessions.events().resumeAttempted(connection, ResumeOutcome.NOT_RECOVERED, null);
			connection.close(complete.status());
		}
		else {
			// A copy held here may be stale: the token may have been used up on another node
			// since. If the store lost the session instead, that copy's next write ends it.
			this.sessions.events().resumeAttempted(connection, ResumeOutcome.NOT_RECOVERED, null);
			this.sessions.open(connection, handler);
		}
	}

	private void moveHere(String token, ResumeClaim.Claimed claimed, @Nullable ResumableSession local,
			DrainingWebSocketSession connection, WebSocketHandler handler, long last) throws Exception {
		if (claimed.stayed() && local != null) {
			// Still this node's, at the same epoch: memory has everything.
			this.sessions.resume(local, connection, last);
			return;
		}
		// This node's copies from earlier turns deliver nothing more. What they delivered may
		// not be in the store yet, and no other node's release covers them: the client's
		// replay starts after the last message either delivered.
		long delivered = claimed.delivered();
		if (local != null) {
			delivered = Math.max(delivered, local.movedAway());
		}
		ResumableSession held = this.sessions.heldCopy(claimed.journal().id());
		if (held != null && held != local) {
			delivered = Math.max(delivered, held.movedAway());
		}
		ResumableSession moved = new ResumableSession(connection, handler, this.sessions,
				claimed.withDelivered(delivered), last);
		moved.adoptToken(token);
		this.sessions.registered(moved);
		if (logger.isDebugEnabled()) {
			logger.debug("WebSocket session " + moved.getId() + " resumed from " + claimed.origin().describe()
					+ ", replaying " + claimed.replay().size() + " message(s)");
		}
		this.sessions.resume(moved, connection, last);
		if (moved.isConnected() && moved.announce()) {
			this.sessions.events().movedIn(claimed.origin());
			handler.afterConnectionEstablished(moved);
		}
		else {
			moved.discard();
		}
	}

}

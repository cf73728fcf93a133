package io.github.wsdrain.server.resume;

import java.util.Collection;
import java.util.List;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketMessage;

/**
 * One session's record in a {@link ResumeStore}, written by the node that owns it. Each
 * write is fenced by the epoch the owner holds: once another node has taken the session
 * over, writes fail with {@link SessionMovedException} and change nothing.
 */
public interface SessionJournal {

	/** The journal of a session kept in memory only: records nothing. */
	SessionJournal NONE = new SessionJournal() {

		@Override
		public String id() {
			return "";
		}

		@Override
		public long epoch() {
			return 0;
		}

		@Override
		public void tokenIssued(String token) {
		}

		@Override
		public void tokensRetired(Collection<String> tokens) {
		}

		@Override
		public void append(long firstSeq, List<? extends WebSocketMessage<?>> messages) {
		}

		@Override
		public void acknowledged(long seq) {
		}

		@Override
		public void delivered(long clientSeq) {
		}

		@Override
		public void handOver(long delivered) {
		}

		@Override
		public void released(long delivered, long recorded) {
		}

		@Override
		public void ended(CloseStatus status, boolean complete) {
		}

	};

	/**
	 * Return the session's id in the store, the same on every node.
	 * @return the journal id, empty for {@link #NONE}
	 */
	String id();

	/**
	 * Return the fencing epoch this node holds the session with.
	 * @return the epoch, from 1; 0 for {@link #NONE}
	 */
	long epoch();

	/**
	 * Record a token that resumes the session, before its session frame goes out.
	 * @param token the token, stored as a hash only
	 */
	void tokenIssued(String token);

	/**
	 * Forget tokens the client has used up.
	 * @param tokens the tokens to forget
	 */
	void tokensRetired(Collection<String> tokens);

	/**
	 * Record outbound messages before they are written to the connection, in one round trip.
	 * @param firstSeq the sequence number of the first
	 * @param messages the app's messages, in sequence order
	 * @throws SessionMovedException if another node took the session over
	 * @throws ResumeStoreException if the store did not record them
	 */
	void append(long firstSeq, List<? extends WebSocketMessage<?>> messages);

	/**
	 * Record outbound messages as {@link #append(long, List)} does, with the client's
	 * acknowledgement riding along, in one round trip: as if {@link #acknowledged(long)}
	 * followed.
	 * @param firstSeq the sequence number of the first
	 * @param messages the app's messages, in sequence order
	 * @param acknowledged the client's acknowledgement to record, 0 for none
	 * @throws SessionMovedException if another node took the session over
	 * @throws ResumeStoreException if the store did not record them
	 */
	default void append(long firstSeq, List<? extends WebSocketMessage<?>> messages, long acknowledged) {
		append(firstSeq, messages);
		if (acknowledged > 0) {
			acknowledged(acknowledged);
		}
	}

	/**
	 * Record the client's cumulative acknowledgement and drop what it covers; may be
	 * written later, never out of order.
	 * @param seq the acknowledged sequence
	 */
	void acknowledged(long seq);

	/**
	 * Record the highest client sequence delivered to the app, after delivering it: a
	 * crash in between makes the client send it again.
	 * @param clientSeq the client sequence
	 * @throws SessionMovedException if another node took the session over
	 */
	void delivered(long clientSeq);

	/**
	 * Mark the session as handed over by a node that stops: its client will resume it
	 * elsewhere, and nothing this node delivered is unrecorded.
	 * @param delivered the last client sequence delivered here; nothing more will be
	 */
	void handOver(long delivered);

	/**
	 * Another node took the session over: record, with this node's old epoch, the last
	 * client sequence delivered here, so that the new owner does not deliver it again, and
	 * the highest sequence recorded here, so that it finds out if the store lost some.
	 * @param delivered the last client sequence delivered here; nothing more will be
	 * @param recorded the highest sequence this node had recorded, 0 for none
	 */
	void released(long delivered, long recorded);

	/**
	 * The session ended on its owner: keep it for the resume window only to answer a late
	 * resume with its close status when it ended complete, else forget it.
	 * @param status how it ended
	 * @param complete whether the app closed it with everything acknowledged
	 * @throws SessionMovedException if another node took the session over meanwhile: it is
	 * that node's, and the caller records a release instead
	 */
	void ended(CloseStatus status, boolean complete);

}

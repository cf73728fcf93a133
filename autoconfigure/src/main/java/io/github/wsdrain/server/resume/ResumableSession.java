package io.github.wsdrain.server.resume;

import java.io.IOException;
import java.net.URI;
import java.security.Principal;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.github.wsdrain.protocol.AckScheduler;
import io.github.wsdrain.protocol.OutboundStream;
import io.github.wsdrain.protocol.ProtocolViolationException;
import io.github.wsdrain.session.CloseResult;
import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.session.SendBufferFullException;
import io.github.wsdrain.session.SessionClosingException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * One logical {@code wsdrain.v1} session as the app sees it: it outlives its
 * connections. Every message sent is numbered and kept until the client acknowledges
 * it, so that a client that lost its connection can resume and get what it missed;
 * messages from the client are numbered too, so that its replays are delivered once.
 * <p>
 * The app's handler sees one {@code afterConnectionEstablished} and one
 * {@code afterConnectionClosed}; a lost connection is not a close unless the client
 * does not come back within the resume window.
 */
public class ResumableSession extends OutlivingSession {

	private static final Log logger = LogFactory.getLog(ResumableSession.class);

	/**
	 * What a detached session holds besides its replay buffer (the session, its buffer,
	 * tokens, handshake headers and attributes), as counted against the detached limits.
	 */
	static final long OVERHEAD_BYTES = 5 * 1024;

	/**
	 * How a session ends on a node when another node resumed it: the app's close status.
	 * A connection still held here is closed with 1001, which clients treat as lost.
	 */
	public static final CloseStatus MOVED_AWAY = new CloseStatus(4000, "Resumed on another node");

	/** How a session handed over by a stopping node ends there: its client resumes it elsewhere. */
	public static final CloseStatus HANDED_OVER = CloseStatus.GOING_AWAY.withReason("Handed over to another node");

	private final WebSocketHandler handler;

	/** The principal and endpoint it was opened with: its tokens resume it only there. */
	private final ResumeScope scope;

	private final ResumableSessions sessions;

	private final ResumeSettings settings;

	private final long createdNanos = System.nanoTime();

	/** What the app sends: numbered, kept until acknowledged, replayed on a resume. */
	private final OutboundStream out;

	/** What the client sends: delivered to the app once and in order. */
	private final InboundFrames in;

	private final AckScheduler acks;

	private final ConnectionWriter writer;

	/** Its state and connection: attaching, losing, closing and ending. */
	private final SessionLifecycle lifecycle;

	private final ResumeTokens tokens;

	/** The session's record in the resume store: written before the connection sees a frame. */
	private final JournalWriter journal;

	/** Where the session came from; {@code null} when it was opened on this node. */
	private final ResumeClaim.@Nullable SessionOrigin origin;

	/** The node stops and hands the session over: the app's sends are refused from now on. */
	private volatile boolean handingOver;

	ResumableSession(DrainingWebSocketSession first, WebSocketHandler handler, ResumableSessions sessions) {
		this(first, handler, sessions, SessionJournal.NONE, null, 0);
	}

	/**
	 * A session that another node had: it goes on from the store's record, its messages
	 * after the client's {@code last} replayed.
	 */
	ResumableSession(DrainingWebSocketSession first, WebSocketHandler handler, ResumableSessions sessions,
			ResumeClaim.Claimed claimed, long last) {
		this(first, handler, sessions, claimed.journal(), claimed.origin(), claimed.delivered());
		this.out.restore(last, claimed.replay());
		this.lifecycle.unannounced();
	}

	ResumableSession(DrainingWebSocketSession first, WebSocketHandler handler, ResumableSessions sessions,
			SessionJournal journal, ResumeClaim.@Nullable SessionOrigin origin, long delivered) {
		super(first);
		this.journal = new JournalWriter(journal, sessions.getSettings().sendTimeLimit(), sessions.writers(),
				new JournalTarget());
		this.origin = origin;
		boolean shared = this.journal.isShared();
		this.handler = handler;
		this.scope = ResumeScope.of(handler, first.getUri(), first.getPrincipal());
		this.sessions = sessions;
		this.settings = sessions.getSettings();
		this.tokens = new ResumeTokens(sessions, this);
		this.out = new OutboundStream(sessions.newReplayCapacity(), false,
				shared ? this.journal : OutboundStream.Recorder.NONE);
		this.writer = new ConnectionWriter(getId());
		this.acks = new AckScheduler(this.out, sessions.ackTimer(), sessions.writers());
		this.lifecycle = new SessionLifecycle(this, first, sessions, handler, this.out, this.acks, this.writer,
				this.tokens, this.journal);
		this.in = new InboundFrames(delivered, this.acks, shared ? this.journal::delivered : this.acks::taken,
				this::acknowledge, (seq, message) -> handler.handleMessage(this, message));
	}

	// ---- the app's side

	/**
	 * Number the message, keep it for replay and, if connected, send it. While the
	 * client is away the message only waits in the replay buffer.
	 * @throws SessionClosingException if the session is closing or closed
	 * @throws SendBufferFullException if the replay buffer stayed full for the send time
	 * limit: the session is then closed with 1011, nothing already accepted is dropped
	 */
	@Override
	public void sendMessage(WebSocketMessage<?> message) throws IOException {
		boolean sent;
		try {
			sent = this.out.send(message, this.settings.sendTimeLimit(), this::admit);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new SessionClosingException(getId(),
					"Interrupted while waiting for room in the replay buffer of WebSocket session " + getId());
		}
		if (sent && !this.out.isLive()) {
			this.sessions.detachedSessionGrew(this);
		}
		if (!sent && this.journal.isHoldingUp()) {
			ResumeStoreException ex = new ResumeStoreException("Resume store did not record the replay buffer's "
					+ "messages within the send time limit (" + this.settings.sendTimeLimit().toMillis() + " ms)", null);
			this.journal.storeFailed(ex);
			throw new SessionClosingException(getId(), "WebSocket session " + getId() + ": message not accepted; "
					+ ex.getMessage() + "; closed with 1011");
		}
		if (!sent) {
			closeAsync(CloseStatus.SERVER_ERROR.withReason("Replay buffer full"));
			throw new SendBufferFullException(getId(), "WebSocket session " + getId() + ": message of "
					+ message.getPayloadLength() + " bytes refused, replay buffer of "
					+ this.out.capacity() + " bytes still full after "
					+ this.settings.sendTimeLimit().toMillis() + " ms; closing with 1011");
		}
	}

	/**
	 * Close after the client has acknowledged everything sent, or after the ack timeout.
	 * @param status the close status to send
	 * @return a future completed when the session has closed; its result counts the
	 * messages the client never acknowledged
	 */
	public CompletableFuture<CloseResult> closeAsync(CloseStatus status) {
		return this.lifecycle.closeAsync(status);
	}

	@Override
	public void close() {
		closeAsync(CloseStatus.NORMAL);
	}

	@Override
	public void close(CloseStatus status) {
		closeAsync(status);
	}

	/**
	 * Return a future completed when the session has closed, whoever closed it.
	 * @return the close future
	 */
	public CompletableFuture<CloseResult> getCloseFuture() {
		return this.lifecycle.closeFuture();
	}

	/**
	 * Return whether the session is open for sending: also while the client is away,
	 * within the resume window.
	 */
	@Override
	public boolean isOpen() {
		return this.lifecycle.state() == ResumableState.OPEN;
	}

	/**
	 * Return whether a connection to the client is currently attached.
	 * @return {@code true} when connected
	 */
	public boolean isConnected() {
		return this.lifecycle.connection() != null;
	}

	/**
	 * Return whether the session lost its connection and waits, within the resume window,
	 * for its client to resume it.
	 * @return {@code true} when open without a connection
	 */
	public boolean isDetached() {
		return this.lifecycle.state() == ResumableState.OPEN && this.lifecycle.connection() == null;
	}

	/**
	 * Return the number of messages sent but not yet acknowledged by the client; once the
	 * session ended, how many were unacknowledged then.
	 * @return the size of the replay buffer in messages
	 */
	public int getUnacknowledgedMessages() {
		int atEnd = this.lifecycle.unacknowledgedAtEnd();
		return (atEnd >= 0) ? atEnd : this.out.unacknowledged();
	}

	/**
	 * Return how many bytes of unacknowledged messages the replay buffer may hold now:
	 * {@code max-buffer-size} when a connection goes live, following what it delivers, and the
	 * base size ({@code buffer-size}) while the client is away.
	 * @return the capacity in bytes
	 */
	public long getReplayCapacity() {
		return this.out.capacity();
	}

	/**
	 * Return the sequence number of the last message sent.
	 * @return the highest outbound sequence number, 0 before the first message
	 */
	public long getLastSent() {
		return this.out.lastSent();
	}

	/**
	 * Return where the session came from when a client resumed it here after another node
	 * had it (a move, a hand-over or a crash of that node).
	 * @return the origin, or {@code null} when the session was opened on this node
	 */
	public ResumeClaim.@Nullable SessionOrigin getOrigin() {
		return this.origin;
	}

	/**
	 * Close because this node stops: with a shared store, hand the session over (its
	 * client resumes it on another node, with everything); else close as {@link #closeAsync}.
	 * @param status the close status for the connection
	 * @return a future completed when the session has closed here
	 */
	public CompletableFuture<CloseResult> closeForShutdown(CloseStatus status) {
		return handOver() ? this.lifecycle.closeFuture() : closeAsync(status);
	}

	/** Whether the app may send: checked under the replay buffer's lock and at every wake-up. */
	private void admit() throws SessionClosingException {
		this.lifecycle.ensureOpen();
		if (this.handingOver) {
			throw new SessionClosingException(getId(), "WebSocket session " + getId()
					+ " is handed over to another node: message not accepted");
		}
	}

	/**
	 * With a shared store, end here and leave the record for the node the client resumes
	 * on: no more sends, everything sent recorded, then the record marked.
	 */
	private boolean handOver() {
		if (!this.journal.isShared() || this.lifecycle.state() != ResumableState.OPEN) {
			return false;
		}
		this.handingOver = true;
		this.out.wake();
		// A sender past its admission holds the send lock until its message is numbered.
		this.out.writeUnnumbered(() -> null);
		if (!this.journal.handOver(this.in.seal())) {
			return false;
		}
		this.lifecycle.end(HANDED_OVER, null, ResumableState.MOVED);
		return true;
	}

	// ---- the connections' side

	SessionJournal journal() {
		return this.journal.journal();
	}

	/**
	 * The app's handler is about to be told of the session that moved in.
	 * @return {@code false} if it ended meanwhile: the app is told nothing
	 */
	boolean announce() {
		return this.lifecycle.announce();
	}

	/**
	 * A session that moved in but whose connection ended before it was attached: it ends
	 * here unseen by the app, and its record waits in the store for the client's next attempt.
	 */
	void discard() {
		long delivered = this.in.seal();
		this.lifecycle.end(MOVED_AWAY, null, ResumableState.MOVED);
		// A node that claims it next waits for this: it delivered nothing here.
		this.journal.released(delivered);
	}

	/**
	 * Another copy took the session over: it ends here, its record stays the new owner's.
	 * @return the last client sequence delivered here
	 */
	long movedAway() {
		long delivered = this.in.seal();
		if (this.lifecycle.state().isOver()) {
			return delivered;
		}
		// The new owner waits for this before it tells the client what to send again: first,
		// since the end may wait for a write in progress to the lost connection.
		this.journal.released(delivered);
		this.lifecycle.end(MOVED_AWAY, null, ResumableState.MOVED);
		return delivered;
	}

	/**
	 * Whether a connection with this principal, on this endpoint, may resume the session.
	 */
	boolean admits(@Nullable Principal claimant, @Nullable URI connectionUri, WebSocketHandler endpointHandler) {
		return this.scope.admits(claimant, connectionUri, endpointHandler);
	}

	String clientAddress() {
		return this.lifecycle.clientAddress();
	}

	@Nullable String principalName() {
		return this.scope.principalName();
	}

	/** What the session holds, as counted against the detached limits: oversized messages count in full. */
	long retainedBytes() {
		return OVERHEAD_BYTES + this.out.bytes();
	}

	/** The client moved the session here with a token another node issued: retire it on confirmation. */
	void adoptToken(String token) {
		this.lifecycle.adoptToken(token);
	}

	void start(DrainingWebSocketSession first) {
		this.lifecycle.attach(first, false);
	}

	/**
	 * Take over a connection whose client says it has received up to {@code last}: treat
	 * that as an acknowledgement, then replay the rest.
	 * @return {@code false} if the session ended before the connection could be attached
	 * @throws ProtocolViolationException if {@code last} is out of range: the connection
	 * and the session are closed already
	 */
	boolean resume(DrainingWebSocketSession next, long last) throws ProtocolViolationException {
		// Checked before anything changes: a rejected resume closes only its own connection.
		if (last < this.out.lastAcknowledged()) {
			throw ProtocolViolationException.policy("Resume before acknowledged sequence");
		}
		if (last > this.out.lastSent()) {
			throw ProtocolViolationException.policy("Resume beyond the last sent sequence");
		}
		acknowledge(last);
		return this.lifecycle.attach(next, true);
	}

	void receive(DrainingWebSocketSession from, WebSocketMessage<?> message) throws Exception {
		if (message instanceof PongMessage || this.lifecycle.state() == ResumableState.MOVED) {
			// Moved: what the client sent here is unacknowledged, it replays it to the new node.
			return;
		}
		this.lifecycle.delivered(from);
		try {
			this.in.receive(message);
		}
		catch (ProtocolViolationException ex) {
			this.lifecycle.violation(from, ex);
		}
	}

	private void acknowledge(long seq) throws ProtocolViolationException {
		this.out.acknowledge(seq);
		if (this.journal.isShared()) {
			this.journal.acknowledged(seq);
		}
		this.lifecycle.acknowledged();
	}

	/**
	 * The container reports the end of a connection: the end of the session if the
	 * client closed normally or the session was closing, else a suspension that lasts
	 * the resume window.
	 */
	void connectionClosed(DrainingWebSocketSession closed, CloseStatus status) {
		this.lifecycle.connectionClosed(closed, status);
	}

	/**
	 * The detached limits chose this session: end it as if its window had passed, unless
	 * its client resumed it meanwhile.
	 */
	void evict() {
		this.lifecycle.evict();
	}

	/** The application is stopping: no resume can come. */
	void shutDown() {
		if (handOver()) {
			return;
		}
		this.lifecycle.end(CloseStatus.GOING_AWAY.withReason("Server stopping"), null);
	}

	/** Whether a connection is attached and nothing was written to it since then. */
	boolean isSilentSince(long nanos) {
		return this.lifecycle.connection() != null && this.writer.isSilentSince(nanos);
	}

	/**
	 * Repeat the last acknowledgement if the connection is still silent: checks queued
	 * close together find it written after the first. A connection busy writing is not silent.
	 */
	void heartbeat() {
		if (isSilentSince(System.nanoTime() - this.settings.heartbeat().toNanos())) {
			this.acks.repeat();
		}
	}

	@Override
	@Nullable WebSocketSession currentConnection() {
		return this.lifecycle.connection();
	}

	/**
	 * Return how long ago the session was opened.
	 * @return the session age
	 */
	public Duration getAge() {
		return Duration.ofNanos(System.nanoTime() - this.createdNanos);
	}

	/** Where the journal's batches go: their frames to the connection, its failures to the session's end. */
	private final class JournalTarget implements JournalWriter.Target {

		@Override
		public void recorded(long seq) {
			ResumableSession.this.out.recorded(seq);
		}

		@Override
		public void delivered(long seq, long bytes) {
			ResumableSession.this.acks.taken(seq, bytes);
		}

		@Override
		public void movedAway(int unrecorded) {
			if (unrecorded > 0) {
				logger.warn("WebSocket session " + getId() + " was resumed on another node while " + unrecorded
						+ " message(s) sent here were not recorded yet: they are not delivered; "
						+ "the app there goes on from getLastSent()");
			}
			ResumableSession.this.movedAway();
		}

		@Override
		public void storeFailed(ResumeStoreException ex) {
			// Nothing more can be recorded: its client resumes to not recovered, never to a gap.
			ResumableSession.this.sessions.events().storeFailed(ResumableSession.this, ex);
			ResumableSession.this.lifecycle.end(CloseStatus.SERVER_ERROR.withReason("Resume store unavailable"),
					null);
		}

	}

	@Override
	public String toString() {
		return "ResumableSession[id=" + getId() + ", state=" + this.lifecycle.state() + ", connected=" + isConnected() + "]";
	}

}

package io.github.wsdrain.server.resume;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Principal;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.github.wsdrain.protocol.AckScheduler;
import io.github.wsdrain.protocol.FrameCodec;
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

	/** How the connection of a session that moved or was handed over is closed: a lost connection to its client. */
	private static final CloseStatus GONE_ELSEWHERE = CloseStatus.GOING_AWAY.withReason("Session continues on another node");

	/** How a session handed over by a stopping node ends there: its client resumes it elsewhere. */
	public static final CloseStatus HANDED_OVER = CloseStatus.GOING_AWAY.withReason("Handed over to another node");

	private final WebSocketHandler handler;

	/** The principal and endpoint it was opened with: its tokens resume it only there. */
	private final ResumeScope scope;

	/** Address of the client's latest connection: the scope a detached session is counted in. */
	private volatile String clientAddress;

	/** When the current connection last delivered a frame: a half-open one has been quiet. */
	private volatile long lastInboundNanos = System.nanoTime();

	/** How the last connection was lost: what the app is told if the session is evicted. */
	private @Nullable CloseStatus lostStatus;

	/** Unacknowledged messages when the session ended, -1 before: the replay buffer is released then. */
	private volatile int unacknowledgedAtEnd = -1;

	private final ResumableSessions sessions;

	private final ResumeSettings settings;

	private final long createdNanos = System.nanoTime();

	/** What the app sends: numbered, kept until acknowledged, replayed on a resume. */
	private final OutboundStream out;

	/** What the client sends: delivered to the app once and in order. */
	private final InboundFrames in;

	private final AckScheduler acks;

	private final ConnectionWriter writer;

	/** Guards the connection, the state and the expiry. */
	private final Object stateLock = new Object();

	private volatile @Nullable DrainingWebSocketSession connection;

	private volatile ResumableState state = ResumableState.OPEN;

	private @Nullable CloseStatus requestedStatus;

	private long closeRequestedNanos;

	private @Nullable ScheduledFuture<?> expiry;

	private final ResumeTokens tokens;

	/** The session's record in the resume store: written before the connection sees a frame. */
	private final JournalWriter journal;

	/** Where the session came from; {@code null} when it was opened on this node. */
	private final ResumeClaim.@Nullable SessionOrigin origin;

	private final OutboundStream.Recorder recorder;

	/** Whether the app's handler was told of the session: a move whose connection failed never is. */
	private volatile boolean announced = true;

	private final CompletableFuture<Void> allAcknowledged = new CompletableFuture<>();

	private final CompletableFuture<CloseResult> closeFuture = new CompletableFuture<>();

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
		this.announced = false;
	}

	ResumableSession(DrainingWebSocketSession first, WebSocketHandler handler, ResumableSessions sessions,
			SessionJournal journal, ResumeClaim.@Nullable SessionOrigin origin, long delivered) {
		super(first);
		this.journal = new JournalWriter(journal, sessions.getSettings().sendTimeLimit());
		this.origin = origin;
		boolean shared = journal != SessionJournal.NONE;
		this.recorder = shared ? this.journal::append : OutboundStream.Recorder.NONE;
		this.handler = handler;
		this.scope = ResumeScope.of(handler, first.getUri(), first.getPrincipal());
		this.clientAddress = addressOf(first);
		this.sessions = sessions;
		this.settings = sessions.getSettings();
		this.tokens = new ResumeTokens(sessions, this);
		this.out = new OutboundStream(sessions.newReplayCapacity(), false);
		this.writer = new ConnectionWriter(getId());
		this.acks = new AckScheduler(this.out, sessions.ackTimer(), sessions.writers());
		this.in = new InboundFrames(delivered, this.acks, this::acknowledge, (seq, message) -> {
			handler.handleMessage(this, message);
			if (shared) {
				this.journal.delivered(seq);
			}
		});
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
			sent = this.out.send(message, this.settings.sendTimeLimit(), this::ensureOpen, this.recorder);
		}
		catch (SessionMovedException ex) {
			movedAway();
			throw new SessionClosingException(getId(), "WebSocket session " + getId()
					+ " was resumed on another node: message not accepted; the app there goes on from getLastSent()");
		}
		catch (ResumeStoreException ex) {
			// Nothing more can be recorded: its client resumes to not recovered, never to a gap.
			this.sessions.events().storeFailed(this, ex);
			end(CloseStatus.SERVER_ERROR.withReason("Resume store unavailable"), null);
			throw new SessionClosingException(getId(), "WebSocket session " + getId() + ": message not accepted, "
					+ "the resume store did not record it within the send time limit; closed with 1011: " + ex.getMessage());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new SessionClosingException(getId(),
					"Interrupted while waiting for room in the replay buffer of WebSocket session " + getId());
		}
		if (sent && !this.out.isLive()) {
			this.sessions.detachedSessionGrew(this);
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
		DrainingWebSocketSession current;
		synchronized (this.stateLock) {
			if (this.state != ResumableState.OPEN) {
				return this.closeFuture;
			}
			this.state = ResumableState.CLOSING;
			this.requestedStatus = status;
			this.closeRequestedNanos = System.nanoTime();
			current = this.connection;
		}
		signalBuffer();
		if (current != null) {
			this.acks.flush();
		}
		// Connected or not: a client that is away may come back within the ack timeout.
		this.allAcknowledged.completeOnTimeout(null, this.settings.ackTimeout().toMillis(), TimeUnit.MILLISECONDS)
			.thenRunAsync(() -> closeConnection(status), this.sessions.writers());
		return this.closeFuture;
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
		return this.closeFuture;
	}

	/**
	 * Return whether the session is open for sending: also while the client is away,
	 * within the resume window.
	 */
	@Override
	public boolean isOpen() {
		return this.state == ResumableState.OPEN;
	}

	/**
	 * Return whether a connection to the client is currently attached.
	 * @return {@code true} when connected
	 */
	public boolean isConnected() {
		return this.connection != null;
	}

	/**
	 * Return whether the session lost its connection and waits, within the resume window,
	 * for its client to resume it.
	 * @return {@code true} when open without a connection
	 */
	public boolean isDetached() {
		return this.state == ResumableState.OPEN && this.connection == null;
	}

	/**
	 * Return the number of messages sent but not yet acknowledged by the client; once the
	 * session ended, how many were unacknowledged then.
	 * @return the size of the replay buffer in messages
	 */
	public int getUnacknowledgedMessages() {
		int atEnd = this.unacknowledgedAtEnd;
		return (atEnd >= 0) ? atEnd : this.out.unacknowledged();
	}

	/**
	 * Return how many bytes of unacknowledged messages the replay buffer may hold now: its
	 * base size ({@code buffer-size}), grown while the connection delivers more per round trip.
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
		return handOver() ? this.closeFuture : closeAsync(status);
	}

	/** With a shared store, end here and leave the record for the node the client resumes on. */
	private boolean handOver() {
		if (this.recorder == OutboundStream.Recorder.NONE || this.state != ResumableState.OPEN
				|| !this.journal.handOver(this.in.seal())) {
			return false;
		}
		end(HANDED_OVER, null, ResumableState.MOVED);
		return true;
	}

	// ---- the connections' side

	SessionJournal journal() {
		return this.journal.journal();
	}

	/** The app's handler is about to be told of the session that moved in. */
	void announce() {
		this.announced = true;
	}

	/**
	 * A session that moved in but whose connection ended before it was attached: it ends
	 * here unseen by the app, and its record waits in the store for the client's next attempt.
	 */
	void discard() {
		end(MOVED_AWAY, null, ResumableState.MOVED);
	}

	/** Another node took the session over: it ends here, its record stays the other node's. */
	void movedAway() {
		if (this.state.isOver()) {
			return;
		}
		long delivered = this.in.seal();
		end(MOVED_AWAY, null, ResumableState.MOVED);
		// The new owner waits for this before it tells the client what to send again.
		this.journal.released(delivered);
	}

	/**
	 * Whether a connection with this principal, on this endpoint, may resume the session.
	 */
	boolean admits(@Nullable Principal claimant, @Nullable URI connectionUri, WebSocketHandler endpointHandler) {
		return this.scope.admits(claimant, connectionUri, endpointHandler);
	}

	String clientAddress() {
		return this.clientAddress;
	}

	@Nullable String principalName() {
		return this.scope.principalName();
	}

	/** What the session holds, as counted against the detached limits: oversized messages count in full. */
	long retainedBytes() {
		return OVERHEAD_BYTES + this.out.bytes();
	}

	void start(DrainingWebSocketSession first) {
		attach(first, false);
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
		return attach(next, true);
	}

	private boolean attach(DrainingWebSocketSession next, boolean resumed) {
		next.getAttributes().put(ResumableSessions.SESSION_ATTRIBUTE, this);
		DrainingWebSocketSession stale = this.connection;
		if (stale != null && stale != next) {
			this.sessions.events().connectionReplaced(this, stale, System.nanoTime() - this.lastInboundNanos);
			// A half-open connection the server had not noticed yet: closing it first releases
			// a sender waiting on its queue, which holds the send lock the replay needs.
			stale.close(new CloseStatus(4000, "Replaced by a resumed connection"));
		}
		AtomicReference<@Nullable DrainingWebSocketSession> previous = new AtomicReference<>();
		AtomicReference<Boolean> opened = new AtomicReference<>(false);
		this.out.attach(this.writer.sinkOf(next), () -> {
			opened.set(open(next, resumed, previous));
			return opened.get();
		}, () -> true);
		if (!opened.get()) {
			return false;
		}
		DrainingWebSocketSession replaced = previous.get();
		if (replaced != null && replaced != next && replaced != stale) {
			replaced.close(new CloseStatus(4000, "Replaced by a resumed connection"));
		}
		if (resumed && logger.isDebugEnabled()) {
			logger.debug("WebSocket session " + getId() + " resumed on connection " + next.getId() + ", replaying "
					+ getUnacknowledgedMessages() + " message(s)");
		}
		return true;
	}

	/**
	 * Make the connection the session's and write its session frame, under the stream's
	 * send lock: the replay follows it.
	 * @return {@code false} if the session has ended
	 */
	private boolean open(DrainingWebSocketSession next, boolean resumed,
			AtomicReference<@Nullable DrainingWebSocketSession> previous) {
		String nextToken;
		synchronized (this.stateLock) {
			if (this.state == ResumableState.MOVED) {
				// Another node has it, or this node found it stale: the client's next attempt claims it afresh.
				next.close(GONE_ELSEWHERE);
				return false;
			}
			if (this.state == ResumableState.EVICTED) {
				// Its tokens are forgotten: the client's next attempt gets not recovered.
				next.close(CloseStatus.GOING_AWAY.withReason("Session evicted"));
				return false;
			}
			if (this.state == ResumableState.CLOSED) {
				// Only a session that ended complete keeps its tokens: repeat how it ended.
				next.close((this.requestedStatus != null) ? this.requestedStatus : CloseStatus.NORMAL);
				return false;
			}
			if (!next.isOpen()) {
				// Ended before its resume was attached: the container's report of it went unheard.
				return false;
			}
			try {
				nextToken = this.tokens.next();
			}
			catch (ResumeStoreException ex) {
				if (!resumed) {
					throw ex;
				}
				// The session stays as it was; its client tries again.
				next.close(CloseStatus.SERVER_ERROR.withReason("Resume store unavailable"));
				return false;
			}
			previous.set(this.connection);
			this.connection = next;
			this.clientAddress = addressOf(next);
			this.lastInboundNanos = System.nanoTime();
			this.sessions.detachedSessionReleased(this);
			this.out.detach();
			if (this.expiry != null) {
				this.expiry.cancel(false);
				this.expiry = null;
			}
		}
		// Possibly a little stale (a delivering thread may be ahead): the client then replays
		// a little more, and the inbound sequence drops it.
		long received = this.acks.acknowledgeAll();
		this.writer.write(next, FrameCodec.session(resumed, nextToken, received, this.settings.window().toMillis()));
		return true;
	}

	void receive(DrainingWebSocketSession from, WebSocketMessage<?> message) throws Exception {
		if (message instanceof PongMessage || this.state == ResumableState.MOVED) {
			// Moved: what the client sent here is unacknowledged, it replays it to the new node.
			return;
		}
		if (from == this.connection) {
			this.lastInboundNanos = System.nanoTime();
			if (!this.tokens.isConfirmed()) {
				synchronized (this.stateLock) {
					this.tokens.confirm();
				}
			}
		}
		try {
			this.in.receive(message);
		}
		catch (ProtocolViolationException ex) {
			violation(from, ex);
		}
		catch (SessionMovedException ex) {
			movedAway();
		}
	}

	private void acknowledge(long seq) throws ProtocolViolationException {
		this.out.acknowledge(seq);
		if (this.recorder != OutboundStream.Recorder.NONE) {
			this.journal.acknowledged(seq);
		}
		// Once closing nothing more is added: an empty buffer stays empty.
		if (this.state != ResumableState.OPEN && this.out.unacknowledged() == 0) {
			this.allAcknowledged.complete(null);
		}
	}

	/**
	 * The container reports the end of a connection: the end of the session if the
	 * client closed normally or the session was closing, else a suspension that lasts
	 * the resume window.
	 */
	void connectionClosed(DrainingWebSocketSession closed, CloseStatus status) {
		synchronized (this.stateLock) {
			if (closed != this.connection || this.state.isOver()) {
				return;
			}
			this.connection = null;
			this.out.detach();
			if (this.state.waitsForResumeAfter(status, this.allAcknowledged.isDone())) {
				this.lostStatus = status;
				this.sessions.sessionDetached(this);
				long window = this.settings.window().toMillis();
				this.expiry = this.sessions.timer()
					.schedule(() -> this.sessions.writers().execute(() -> end(status, null)), window, TimeUnit.MILLISECONDS);
				logger.debug("WebSocket session " + getId() + ": connection lost with " + status + ", resumable for "
						+ window + " ms");
				return;
			}
		}
		end((this.requestedStatus != null) ? this.requestedStatus : status, closed);
	}

	private void violation(DrainingWebSocketSession from, ProtocolViolationException ex) {
		logger.debug("WebSocket session " + getId() + ": " + ex.getMessage() + ", closing connection " + from.getId()
				+ " with " + ex.getStatus());
		synchronized (this.stateLock) {
			if (this.state == ResumableState.OPEN) {
				this.requestedStatus = ex.getStatus();
				this.closeRequestedNanos = System.nanoTime();
			}
			this.state = this.state.violated();
		}
		from.close(ex.getStatus());
		if (from != this.connection) {
			end(ex.getStatus(), null);
		}
	}

	/** Everything is acknowledged or the ack timeout passed: close, connected or not. */
	private void closeConnection(CloseStatus status) {
		DrainingWebSocketSession current;
		synchronized (this.stateLock) {
			current = this.connection;
			this.state = this.state.closeSent();
		}
		if (current != null) {
			current.closeAsync(status);
		}
		else {
			end(status, null);
		}
	}

	/**
	 * The detached limits chose this session: end it as if its window had passed, unless
	 * its client resumed it meanwhile.
	 */
	void evict() {
		CloseStatus status;
		synchronized (this.stateLock) {
			if (this.connection != null || this.state.isOver()) {
				return;
			}
			status = (this.lostStatus != null) ? this.lostStatus : CloseStatus.GOING_AWAY;
		}
		end(status, null, ResumableState.EVICTED);
	}

	/** The application is stopping: no resume can come. */
	void shutDown() {
		if (handOver()) {
			return;
		}
		end(CloseStatus.GOING_AWAY.withReason("Server stopping"), null);
	}

	/** The session is over for the app: forget its token, tell the handler, complete the future. */
	private void end(CloseStatus status, @Nullable DrainingWebSocketSession ended) {
		end(status, ended, ResumableState.CLOSED);
	}

	private void end(CloseStatus status, @Nullable DrainingWebSocketSession ended, ResumableState over) {
		DrainingWebSocketSession last;
		boolean complete;
		synchronized (this.stateLock) {
			if (this.state.isOver()) {
				return;
			}
			if (this.requestedStatus == null) {
				this.requestedStatus = status;
				this.closeRequestedNanos = System.nanoTime();
			}
			complete = this.state.endsComplete(getUnacknowledgedMessages()) && over != ResumableState.MOVED;
			this.state = over;
			this.sessions.detachedSessionReleased(this);
			this.tokens.end(complete);
			if (this.expiry != null) {
				this.expiry.cancel(false);
			}
			last = this.connection;
			this.connection = null;
			this.out.detach();
		}
		signalBuffer();
		if (over == ResumableState.MOVED) {
			// A sender past its admission is still writing a recorded frame to the connection:
			// let it finish, so that the close frame follows it rather than cutting it off.
			this.out.writeUnnumbered(() -> null);
		}
		if (last != null) {
			// Moved: the client may still be waiting for this connection's session frame, and a close
			// frame in its place would end the session for it; 1001 is a lost connection, it resumes.
			last.closeAsync((over == ResumableState.MOVED) ? GONE_ELSEWHERE : status);
		}
		this.sessions.journalReleased(this);
		if (over != ResumableState.MOVED) {
			this.journal.ended(status, complete);
		}
		DrainingWebSocketSession source = (last != null) ? last : ended;
		CloseResult connectionResult = (source != null) ? source.getCloseFuture().getNow(null) : null;
		int unacked = getUnacknowledgedMessages();
		this.unacknowledgedAtEnd = unacked;
		// Whatever still references the session (the app, a connection the container keeps) holds bytes, not the buffer.
		this.out.release();
		CloseResult result = new CloseResult(getId(), status,
				(connectionResult != null) ? connectionResult.flushed() : 0,
				(connectionResult != null) ? connectionResult.dropped() : 0,
				Duration.ofNanos(System.nanoTime() - this.closeRequestedNanos),
				connectionResult != null && connectionResult.drainTimedOut(), unacked);
		if (logger.isDebugEnabled()) {
			logger.debug("WebSocket session " + getId() + " closed with " + status + ", " + unacked
					+ " unacknowledged message(s)");
		}
		try {
			if (this.announced) {
				this.handler.afterConnectionClosed(this, status);
			}
		}
		catch (Exception ex) {
			logger.warn("WebSocket session " + getId() + ": handler failed after close", ex);
		}
		finally {
			this.closeFuture.complete(result);
		}
	}

	/** Whether a connection is attached and nothing was written to it since then. */
	boolean isSilentSince(long nanos) {
		return this.connection != null && this.writer.isSilentSince(nanos);
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

	private void ensureOpen() throws SessionClosingException {
		if (this.state != ResumableState.OPEN) {
			throw new SessionClosingException(getId(), "WebSocket session " + getId() + " is "
					+ (this.state.isOver() ? "closed" : "closing") + ": message not accepted");
		}
	}

	/** The state changed: waiting senders check it again; a closing session may be all acknowledged. */
	private void signalBuffer() {
		this.out.wake();
		if (this.state != ResumableState.OPEN && this.out.unacknowledged() == 0) {
			this.allAcknowledged.complete(null);
		}
	}

	@Override
	@Nullable WebSocketSession currentConnection() {
		return this.connection;
	}

	/**
	 * Return how long ago the session was opened.
	 * @return the session age
	 */
	public Duration getAge() {
		return Duration.ofNanos(System.nanoTime() - this.createdNanos);
	}

	private static String addressOf(WebSocketSession connection) {
		InetSocketAddress remote = connection.getRemoteAddress();
		if (remote == null) {
			return "unknown";
		}
		return (remote.getAddress() != null) ? remote.getAddress().getHostAddress() : remote.getHostString();
	}

	@Override
	public String toString() {
		return "ResumableSession[id=" + getId() + ", state=" + this.state + ", connected=" + isConnected() + "]";
	}

}

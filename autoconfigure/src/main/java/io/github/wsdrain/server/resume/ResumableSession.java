package io.github.wsdrain.server.resume;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Principal;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.github.wsdrain.protocol.AckScheduler;
import io.github.wsdrain.protocol.Frame;
import io.github.wsdrain.protocol.FrameCodec;
import io.github.wsdrain.protocol.FrameSink;
import io.github.wsdrain.protocol.InboundSequence;
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

	/** More acknowledgements than this in a second is a flood: a client sends 10 to 500 (PROTOCOL.md §3). */
	public static final int MAX_ACKS_PER_SECOND = 1000;

	/**
	 * What a detached session holds besides its replay buffer (the session, its buffer,
	 * tokens, handshake headers and attributes), as counted against the detached limits.
	 */
	static final long OVERHEAD_BYTES = 5 * 1024;

	private final WebSocketHandler handler;

	/** The endpoint the session was opened on: its tokens resume it only there. */
	private final @Nullable String path;

	/** Address of the client's latest connection: the scope a detached session is counted in. */
	private volatile String clientAddress;

	/** When the current connection last delivered a frame: a half-open one has been quiet. */
	private volatile long lastInboundNanos = System.nanoTime();

	/** When the current connection was last written to: the heartbeat fills silences. */
	private volatile long lastWriteNanos = System.nanoTime();

	/** How the last connection was lost: what the app is told if the session is evicted. */
	private @Nullable CloseStatus lostStatus;

	/** Whether the detached limits ended the session: a resume racing the end finds nothing. */
	private boolean evicted;

	/** Unacknowledged messages when the session ended, -1 before: the replay buffer is released then. */
	private volatile int unacknowledgedAtEnd = -1;

	private final ResumableSessions sessions;

	private final ResumeSettings settings;

	private final long createdNanos = System.nanoTime();

	/** What the app sends: numbered, kept until acknowledged, replayed on a resume. */
	private final OutboundStream out;

	/** What the client sends: delivered to the app once and in order. */
	private final InboundSequence in = new InboundSequence();

	private final AckScheduler acks;

	/** Guards the connection, the state and the expiry. */
	private final Object stateLock = new Object();

	private volatile @Nullable DrainingWebSocketSession connection;

	private volatile State state = State.OPEN;

	private @Nullable CloseStatus requestedStatus;

	private long closeRequestedNanos;

	private @Nullable ScheduledFuture<?> expiry;

	private final ResumeTokens tokens;

	private final AckFloodLimit ackFlood = new AckFloodLimit(MAX_ACKS_PER_SECOND);

	private final CompletableFuture<Void> allAcknowledged = new CompletableFuture<>();

	private final CompletableFuture<CloseResult> closeFuture = new CompletableFuture<>();

	ResumableSession(DrainingWebSocketSession first, WebSocketHandler handler, ResumableSessions sessions) {
		super(first);
		this.handler = handler;
		this.path = (getUri() != null) ? getUri().getPath() : null;
		this.clientAddress = addressOf(first);
		this.sessions = sessions;
		this.settings = sessions.getSettings();
		this.tokens = new ResumeTokens(sessions, this);
		this.out = new OutboundStream(sessions.newReplayCapacity(), false);
		this.acks = new AckScheduler(this.out, sessions.ackTimer(), sessions.writers());
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
			sent = this.out.send(message, this.settings.sendTimeLimit(), this::ensureOpen);
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
					+ this.settings.bufferSize().toBytes() + " bytes still full after "
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
			if (this.state != State.OPEN) {
				return this.closeFuture;
			}
			this.state = State.CLOSING;
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
		return this.state == State.OPEN;
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
		return this.state == State.OPEN && this.connection == null;
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

	// ---- the connections' side

	boolean belongsTo(@Nullable Principal claimant) {
		Principal owner = getPrincipal();
		String ownerName = (owner != null) ? owner.getName() : null;
		String name = (claimant != null) ? claimant.getName() : null;
		return Objects.equals(ownerName, name);
	}

	/**
	 * Whether a connection to this endpoint may resume the session: tokens resume only
	 * through the endpoint that issued them, past its own handshake rules.
	 */
	boolean servesEndpoint(@Nullable URI connectionUri, WebSocketHandler endpointHandler) {
		String connectionPath = (connectionUri != null) ? connectionUri.getPath() : null;
		return this.handler == endpointHandler && Objects.equals(this.path, connectionPath);
	}

	String clientAddress() {
		return this.clientAddress;
	}

	@Nullable String principalName() {
		Principal owner = getPrincipal();
		return (owner != null) ? owner.getName() : null;
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
			this.sessions.connectionReplaced(this, stale, System.nanoTime() - this.lastInboundNanos);
			// A half-open connection the server had not noticed yet: closing it first releases
			// a sender waiting on its queue, which holds the send lock the replay needs.
			stale.close(new CloseStatus(4000, "Replaced by a resumed connection"));
		}
		AtomicReference<@Nullable DrainingWebSocketSession> previous = new AtomicReference<>();
		AtomicReference<Boolean> opened = new AtomicReference<>(false);
		this.out.attach(sinkOf(next), () -> {
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
			if (this.evicted) {
				// Its tokens are forgotten: the client's next attempt gets not recovered.
				next.close(CloseStatus.GOING_AWAY.withReason("Session evicted"));
				return false;
			}
			if (this.state == State.CLOSED) {
				// Only a session that ended complete keeps its tokens: repeat how it ended.
				next.close((this.requestedStatus != null) ? this.requestedStatus : CloseStatus.NORMAL);
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
			nextToken = this.tokens.next();
		}
		// Possibly a little stale (a delivering thread may be ahead): the client then replays
		// a little more, and the inbound sequence drops it.
		long received = this.acks.acknowledgeAll();
		write(next, FrameCodec.session(resumed, nextToken, received, this.settings.window().toMillis()));
		return true;
	}

	private FrameSink sinkOf(DrainingWebSocketSession to) {
		return (frame) -> write(to, frame);
	}

	void receive(DrainingWebSocketSession from, WebSocketMessage<?> message) throws Exception {
		if (message instanceof PongMessage) {
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
			Frame frame = FrameCodec.parse(message);
			if (frame instanceof Frame.Ack ack) {
				this.ackFlood.count();
				acknowledge(ack.seq());
			}
			else if (frame instanceof Frame.Data data) {
				this.in.deliver(data, (next) -> {
					this.handler.handleMessage(this, next.payload());
					return true;
				});
				// A replay of a message already delivered is acknowledged again, delivered never.
				this.acks.taken(this.in.last(), data.payloadLength());
			}
		}
		catch (ProtocolViolationException ex) {
			violation(from, ex);
		}
	}

	private void acknowledge(long seq) throws ProtocolViolationException {
		this.out.acknowledge(seq);
		// Once closing nothing more is added: an empty buffer stays empty.
		if (this.state != State.OPEN && this.out.unacknowledged() == 0) {
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
			if (closed != this.connection || this.state == State.CLOSED) {
				return;
			}
			this.connection = null;
			this.out.detach();
			if (isResumableAfter(status)) {
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

	/**
	 * Whether a lost connection leaves the session waiting for a resume: while open,
	 * unless the client closed normally or a message was too big; while closing, until everything is acknowledged
	 * and the close frame is on its way, so that a drop during the close loses nothing.
	 * Call with the state lock held.
	 */
	private boolean isResumableAfter(CloseStatus status) {
		if (this.state == State.OPEN) {
			// 1009: a message too big for one side; a resume would replay it into the same wall.
			return !CloseStatus.NORMAL.equalsCode(status) && !CloseStatus.TOO_BIG_TO_PROCESS.equalsCode(status);
		}
		return this.state == State.CLOSING && !this.allAcknowledged.isDone();
	}

	private void violation(DrainingWebSocketSession from, ProtocolViolationException ex) {
		logger.debug("WebSocket session " + getId() + ": " + ex.getMessage() + ", closing connection " + from.getId()
				+ " with " + ex.getStatus());
		synchronized (this.stateLock) {
			if (this.state == State.OPEN) {
				this.state = State.REFUSED;
				this.requestedStatus = ex.getStatus();
				this.closeRequestedNanos = System.nanoTime();
			}
			else if (this.state == State.CLOSING) {
				this.state = State.CLOSE_SENT;
			}
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
			if (this.state == State.CLOSING) {
				this.state = State.CLOSE_SENT;
			}
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
			if (this.connection != null || this.state == State.CLOSED) {
				return;
			}
			this.evicted = true;
			status = (this.lostStatus != null) ? this.lostStatus : CloseStatus.GOING_AWAY;
		}
		end(status, null);
	}

	/** The application is stopping: no resume can come. */
	void shutDown() {
		end(CloseStatus.GOING_AWAY.withReason("Server stopping"), null);
	}

	/** The session is over for the app: forget its token, tell the handler, complete the future. */
	private void end(CloseStatus status, @Nullable DrainingWebSocketSession ended) {
		DrainingWebSocketSession last;
		synchronized (this.stateLock) {
			if (this.state == State.CLOSED) {
				return;
			}
			if (this.requestedStatus == null) {
				this.requestedStatus = status;
				this.closeRequestedNanos = System.nanoTime();
			}
			// Closed by the app with everything acknowledged: a client whose connection dropped
			// with the close frame comes back to be told so (PROTOCOL.md §4.7).
			boolean complete = (this.state == State.CLOSING || this.state == State.CLOSE_SENT)
					&& getUnacknowledgedMessages() == 0;
			this.state = State.CLOSED;
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
		if (last != null) {
			last.closeAsync(status);
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
			this.handler.afterConnectionClosed(this, status);
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
		return this.connection != null && this.lastWriteNanos - nanos < 0;
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

	private boolean write(DrainingWebSocketSession to, WebSocketMessage<?> frame) {
		this.lastWriteNanos = System.nanoTime();
		try {
			to.sendMessage(frame);
			return true;
		}
		catch (IOException | RuntimeException ex) {
			// The frame is still in the replay buffer; the container reports the lost connection.
			if (logger.isTraceEnabled()) {
				logger.trace("WebSocket session " + getId() + ": write to connection " + to.getId() + " failed", ex);
			}
			return false;
		}
	}

	private void ensureOpen() throws SessionClosingException {
		if (this.state != State.OPEN) {
			throw new SessionClosingException(getId(), "WebSocket session " + getId() + " is "
					+ ((this.state == State.CLOSED) ? "closed" : "closing") + ": message not accepted");
		}
	}

	/** The state changed: waiting senders check it again; a closing session may be all acknowledged. */
	private void signalBuffer() {
		this.out.wake();
		if (this.state != State.OPEN && this.out.unacknowledged() == 0) {
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

	/** The session's states: the connection may come and go in all but CLOSED. */
	private enum State {

		/** Sending; a lost connection waits for a resume. */
		OPEN,

		/** The app closed it: waiting for the client's acknowledgements, still resumable. */
		CLOSING,

		/** The app's close frame is on its way: a connection that ends now ends the session. */
		CLOSE_SENT,

		/** The client broke the protocol: its connection is being closed, and the session with it. */
		REFUSED,

		/** Over: the app has seen {@code afterConnectionClosed}. */
		CLOSED

	}

}

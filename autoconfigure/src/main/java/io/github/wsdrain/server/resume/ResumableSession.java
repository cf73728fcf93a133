package io.github.wsdrain.server.resume;

import io.github.wsdrain.protocol.Frames;
import io.github.wsdrain.protocol.ProtocolViolationException;
import io.github.wsdrain.protocol.ReplayBuffer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Principal;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import io.github.wsdrain.session.CloseResult;
import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.session.SendBufferFullException;
import io.github.wsdrain.session.SessionClosingException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.WebSocketExtension;
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
public class ResumableSession implements WebSocketSession {

	private static final Log logger = LogFactory.getLog(ResumableSession.class);

	/** Acknowledgements are batched: at most one per this delay and direction. */
	static final Duration ACK_DELAY = Duration.ofMillis(100);

	/** More acknowledgements than this in a second is a flood: a client sends 10 to 500 (PROTOCOL.md §3). */
	public static final int MAX_ACKS_PER_SECOND = 1000;

	/**
	 * What a detached session holds besides its replay buffer (the session, its buffer,
	 * tokens, handshake headers and attributes), as counted against the detached limits.
	 */
	static final long OVERHEAD_BYTES = 5 * 1024;

	/** Keys of the attributes wsdrain itself puts on a connection: they name the connection, not the session. */
	private static final String OWN_ATTRIBUTE_PREFIX = "io.github.wsdrain.";

	private final String id;

	private final WebSocketHandler handler;

	private final ResumableSessions sessions;

	private final ResumeSettings settings;

	private final @Nullable Principal principal;

	private final @Nullable URI uri;

	/** The endpoint the session was opened on: its tokens resume it only there. */
	private final @Nullable String path;

	private final HttpHeaders handshakeHeaders;

	private final Map<String, Object> attributes;

	private final @Nullable String acceptedProtocol;

	private final long createdNanos = System.nanoTime();

	/** Address of the client's latest connection: the scope a detached session is counted in. */
	private volatile String clientAddress;

	/** When the current connection last delivered a frame: a half-open one has been quiet. */
	private volatile long lastInboundNanos = System.nanoTime();

	/** How the last connection was lost: what the app is told if the session is evicted. */
	private @Nullable CloseStatus lostStatus;

	/** Whether the detached limits ended the session: a resume racing the end finds nothing. */
	private boolean evicted;

	/** Unacknowledged messages when the session ended, -1 before: the replay buffer is released then. */
	private volatile int unacknowledgedAtEnd = -1;

	/** Held from numbering a message until it is handed to the connection: keeps numbers in wire order. */
	private final ReentrantLock sendLock = new ReentrantLock();

	private final ReplayBuffer replay;

	/** Guards the connection, the state and the expiry. */
	private final Object stateLock = new Object();

	private volatile @Nullable DrainingWebSocketSession connection;

	private volatile State state = State.OPEN;

	private @Nullable CloseStatus requestedStatus;

	private long closeRequestedNanos;

	private @Nullable ScheduledFuture<?> expiry;

	/** Whether the close frame is on its way: a connection that ends now ends the session. */
	private boolean closeFrameSent;

	/** Whether the app closed the session, rather than a protocol violation or the window. */
	private boolean closedByApp;

	/**
	 * Tokens that resume this session: the current one, and until the client confirms
	 * the current connection, the ones before it. A client whose connection drops before
	 * the session frame arrives never learned the new token and must be able to use the
	 * old one again.
	 */
	private final Set<String> tokens = new HashSet<>();

	private @Nullable String token;

	private volatile boolean confirmed;

	/** Guards inbound delivery: a replaced connection and its successor may both deliver. */
	private final Object inboundLock = new Object();

	/** Written under the inbound lock; read without it where a stale value is harmless. */
	private volatile long lastReceived;

	private volatile long lastReceivedAcknowledged;

	private final AtomicBoolean ackScheduled = new AtomicBoolean();

	/** When the current connection was last written to: the heartbeat fills silences. */
	private volatile long lastWriteNanos = System.nanoTime();

	private long ackWindowStart;

	private int acksInWindow;

	private final CompletableFuture<Void> allAcknowledged = new CompletableFuture<>();

	private final CompletableFuture<CloseResult> closeFuture = new CompletableFuture<>();

	ResumableSession(DrainingWebSocketSession first, WebSocketHandler handler, ResumableSessions sessions) {
		this.id = first.getId();
		this.handler = handler;
		this.sessions = sessions;
		this.settings = sessions.getSettings();
		this.principal = first.getPrincipal();
		this.uri = first.getUri();
		this.path = (this.uri != null) ? this.uri.getPath() : null;
		this.clientAddress = addressOf(first);
		// Copies: the session outlives the connection, and must not keep it or its container reachable.
		this.handshakeHeaders = HttpHeaders.readOnlyHttpHeaders(HttpHeaders.copyOf(first.getHandshakeHeaders()));
		this.attributes = applicationAttributes(first.getAttributes());
		this.acceptedProtocol = first.getAcceptedProtocol();
		this.replay = new ReplayBuffer(this.settings.bufferSize().toBytes());
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
		long deadline = 0;
		while (true) {
			this.sendLock.lock();
			try {
				WebSocketMessage<?> framed = this.replay.add(message, this::ensureOpen);
				if (framed != null) {
					DrainingWebSocketSession current = this.connection;
					if (current != null) {
						write(current, framed);
					}
					else {
						this.sessions.detachedSessionGrew(this);
					}
					return;
				}
			}
			finally {
				this.sendLock.unlock();
			}
			// Full: wait without the send lock, which a resume needs for the replay that, with
			// the acknowledgements after it, makes room. The clock starts at the first wait.
			deadline = (deadline != 0) ? deadline : System.nanoTime() + this.settings.sendTimeLimit().toNanos();
			awaitRoom(message.getPayloadLength(), deadline);
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
			this.closedByApp = true;
			current = this.connection;
		}
		signalBuffer();
		if (current != null) {
			sendAck(current);
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
		return (atEnd >= 0) ? atEnd : this.replay.size();
	}

	/**
	 * Return the sequence number of the last message sent.
	 * @return the highest outbound sequence number, 0 before the first message
	 */
	public long getLastSent() {
		return this.replay.lastSent();
	}

	// ---- the connections' side

	boolean belongsTo(@Nullable Principal claimant) {
		String owner = (this.principal != null) ? this.principal.getName() : null;
		String name = (claimant != null) ? claimant.getName() : null;
		return Objects.equals(owner, name);
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
		return (this.principal != null) ? this.principal.getName() : null;
	}

	/** What the session holds, as counted against the detached limits: oversized messages count in full. */
	long retainedBytes() {
		return OVERHEAD_BYTES + this.replay.bytes();
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
		if (last < this.replay.lastAcknowledged()) {
			throw ProtocolViolationException.policy("Resume before acknowledged sequence");
		}
		if (last > this.replay.lastSent()) {
			throw ProtocolViolationException.policy("Resume beyond the last sent sequence");
		}
		acknowledge(last);
		return attach(next, true);
	}

	private boolean attach(DrainingWebSocketSession next, boolean resumed) {
		next.getAttributes().put(ResumableSessions.SESSION_ATTRIBUTE, this);
		// Read outside the send lock: a delivering thread holds the inbound lock and may be
		// sending. Stale is harmless, the client then replays a little more and we dedupe.
		long received = this.lastReceived;
		DrainingWebSocketSession stale = this.connection;
		if (stale != null && stale != next) {
			this.sessions.connectionReplaced(this, stale, System.nanoTime() - this.lastInboundNanos);
			// A half-open connection the server had not noticed yet: closing it first releases
			// a sender waiting on its queue, which holds the send lock the replay needs.
			stale.close(new CloseStatus(4000, "Replaced by a resumed connection"));
		}
		DrainingWebSocketSession previous;
		this.sendLock.lock();
		try {
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
				previous = this.connection;
				this.connection = next;
				this.clientAddress = addressOf(next);
				this.lastInboundNanos = System.nanoTime();
				this.sessions.detachedSessionReleased(this);
				if (this.expiry != null) {
					this.expiry.cancel(false);
					this.expiry = null;
				}
				this.token = this.sessions.issueToken(this);
				this.tokens.add(this.token);
				this.confirmed = false;
			}
			List<WebSocketMessage<?>> missed = this.replay.unacknowledged();
			this.lastReceivedAcknowledged = received;
			write(next, Frames.session(resumed, Objects.requireNonNull(this.token), received,
					this.settings.window().toMillis()));
			for (WebSocketMessage<?> frame : missed) {
				write(next, frame);
			}
		}
		finally {
			this.sendLock.unlock();
		}
		if (previous != null && previous != next && previous != stale) {
			previous.close(new CloseStatus(4000, "Replaced by a resumed connection"));
		}
		if (resumed && logger.isDebugEnabled()) {
			logger.debug("WebSocket session " + this.id + " resumed on connection " + next.getId() + ", replaying "
					+ getUnacknowledgedMessages() + " message(s)");
		}
		return true;
	}

	void receive(DrainingWebSocketSession from, WebSocketMessage<?> message) throws Exception {
		if (message instanceof PongMessage) {
			return;
		}
		if (from == this.connection) {
			this.lastInboundNanos = System.nanoTime();
			if (!this.confirmed) {
				confirm();
			}
		}
		try {
			Frames.Frame frame = Frames.parse(message);
			if (frame.type() == 'a') {
				countAck();
				acknowledge(frame.seq());
			}
			else {
				deliver(frame.seq(), Objects.requireNonNull(frame.payload()));
			}
		}
		catch (ProtocolViolationException ex) {
			violation(from, ex);
		}
	}

	private void deliver(long seq, WebSocketMessage<?> payload) throws Exception {
		synchronized (this.inboundLock) {
			if (seq > this.lastReceived + 1) {
				throw ProtocolViolationException.malformed("Gap in client sequence");
			}
			if (seq == this.lastReceived + 1) {
				this.lastReceived = seq;
				this.handler.handleMessage(this, payload);
			}
			// else a replay of a message already delivered: acknowledge it again, deliver it never
		}
		scheduleAck();
	}

	/** The client's first frame proves it has the session frame: older tokens are now used up. */
	private void confirm() {
		synchronized (this.stateLock) {
			this.confirmed = true;
			this.tokens.removeIf((old) -> {
				boolean retire = !old.equals(this.token);
				if (retire) {
					this.sessions.forget(old);
				}
				return retire;
			});
		}
	}

	/** Count acknowledgements per second on the current connection. */
	private void countAck() throws ProtocolViolationException {
		long now = System.nanoTime();
		synchronized (this.inboundLock) {
			if (now - this.ackWindowStart > TimeUnit.SECONDS.toNanos(1)) {
				this.ackWindowStart = now;
				this.acksInWindow = 0;
			}
			if (++this.acksInWindow > MAX_ACKS_PER_SECOND) {
				throw ProtocolViolationException.policy("Acknowledgement flood");
			}
		}
	}

	private void acknowledge(long seq) throws ProtocolViolationException {
		if (!this.replay.acknowledge(seq)) {
			throw ProtocolViolationException.policy("Acknowledged a message never sent");
		}
		// Once closing nothing more is added: an empty buffer stays empty.
		if (this.state != State.OPEN && this.replay.isEmpty()) {
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
			if (isResumableAfter(status)) {
				this.lostStatus = status;
				this.sessions.sessionDetached(this);
				long window = this.settings.window().toMillis();
				this.expiry = this.sessions.timer()
					.schedule(() -> this.sessions.writers().execute(() -> end(status, null)), window, TimeUnit.MILLISECONDS);
				logger.debug("WebSocket session " + this.id + ": connection lost with " + status + ", resumable for "
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
		return this.state == State.CLOSING && !this.closeFrameSent && !this.allAcknowledged.isDone();
	}

	private void violation(DrainingWebSocketSession from, ProtocolViolationException ex) {
		logger.debug("WebSocket session " + this.id + ": " + ex.getMessage() + ", closing connection " + from.getId()
				+ " with " + ex.getStatus());
		synchronized (this.stateLock) {
			if (this.state == State.OPEN) {
				this.state = State.CLOSING;
				this.requestedStatus = ex.getStatus();
				this.closeRequestedNanos = System.nanoTime();
			}
			this.closeFrameSent = true;
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
			this.closeFrameSent = true;
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
			this.state = State.CLOSED;
			this.sessions.detachedSessionReleased(this);
			if (this.closedByApp && getUnacknowledgedMessages() == 0) {
				// Complete: a client whose connection dropped with the close frame comes back to
				// be told so, not that its session was lost (PROTOCOL.md §4.7).
				Set<String> retired = Set.copyOf(this.tokens);
				this.sessions.timer()
					.schedule(() -> retired.forEach(this.sessions::forget), this.settings.window().toMillis(),
							TimeUnit.MILLISECONDS);
			}
			else {
				this.tokens.forEach(this.sessions::forget);
			}
			this.tokens.clear();
			if (this.expiry != null) {
				this.expiry.cancel(false);
			}
			last = this.connection;
			this.connection = null;
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
		this.replay.release();
		CloseResult result = new CloseResult(this.id, status,
				(connectionResult != null) ? connectionResult.flushed() : 0,
				(connectionResult != null) ? connectionResult.dropped() : 0,
				Duration.ofNanos(System.nanoTime() - this.closeRequestedNanos),
				connectionResult != null && connectionResult.drainTimedOut(), unacked);
		if (logger.isDebugEnabled()) {
			logger.debug("WebSocket session " + this.id + " closed with " + status + ", " + unacked
					+ " unacknowledged message(s)");
		}
		try {
			this.handler.afterConnectionClosed(this, status);
		}
		catch (Exception ex) {
			logger.warn("WebSocket session " + this.id + ": handler failed after close", ex);
		}
		finally {
			this.closeFuture.complete(result);
		}
	}

	/**
	 * At most one acknowledgement task per session, pending or running: one stuck behind a
	 * write to a peer that does not read must not be joined by another for every message
	 * the peer keeps sending.
	 */
	private void scheduleAck() {
		if (this.ackScheduled.compareAndSet(false, true)) {
			this.sessions.timer()
				.schedule(() -> this.sessions.writers().execute(this::acknowledgeReceived), ACK_DELAY.toMillis(),
						TimeUnit.MILLISECONDS);
		}
	}

	private void acknowledgeReceived() {
		try {
			DrainingWebSocketSession current = this.connection;
			if (current != null) {
				sendAck(current);
			}
		}
		finally {
			this.ackScheduled.set(false);
		}
		// Delivered while this task ran: acknowledge it in the next batch.
		if (this.connection != null && this.lastReceived > this.lastReceivedAcknowledged) {
			scheduleAck();
		}
	}

	private void sendAck(DrainingWebSocketSession to) {
		// Under the send lock, so that on a new connection the session frame goes first.
		this.sendLock.lock();
		try {
			long received = this.lastReceived;
			if (received > this.lastReceivedAcknowledged) {
				this.lastReceivedAcknowledged = received;
				write(to, Frames.ack(received));
			}
		}
		finally {
			this.sendLock.unlock();
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
		DrainingWebSocketSession current = this.connection;
		if (current != null && isSilentSince(System.nanoTime() - this.settings.heartbeat().toNanos())
				&& this.sendLock.tryLock()) {
			try {
				write(current, Frames.ack(this.lastReceivedAcknowledged));
			}
			finally {
				this.sendLock.unlock();
			}
		}
	}

	private void write(DrainingWebSocketSession to, WebSocketMessage<?> frame) {
		this.lastWriteNanos = System.nanoTime();
		try {
			to.sendMessage(frame);
		}
		catch (IOException | RuntimeException ex) {
			// The frame is still in the replay buffer; the container reports the lost connection.
			if (logger.isTraceEnabled()) {
				logger.trace("WebSocket session " + this.id + ": write to connection " + to.getId() + " failed", ex);
			}
		}
	}

	private void ensureOpen() throws SessionClosingException {
		if (this.state != State.OPEN) {
			throw new SessionClosingException(this.id, "WebSocket session " + this.id + " is "
					+ this.state.name().toLowerCase(java.util.Locale.ROOT) + ": message not accepted");
		}
	}

	/** Back-pressure: wait for the client's acknowledgements until the deadline; never drop. */
	private void awaitRoom(int payloadLength, long deadline) throws IOException {
		boolean room;
		try {
			room = this.replay.awaitRoom(payloadLength, deadline, this::ensureOpen);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new SessionClosingException(this.id,
					"Interrupted while waiting for room in the replay buffer of WebSocket session " + this.id);
		}
		if (!room) {
			long limit = this.settings.bufferSize().toBytes();
			closeAsync(CloseStatus.SERVER_ERROR.withReason("Replay buffer full"));
			throw new SendBufferFullException(this.id, "WebSocket session " + this.id + ": message of "
					+ payloadLength + " bytes refused, replay buffer of " + limit + " bytes still full after "
					+ this.settings.sendTimeLimit().toMillis() + " ms; closing with 1011");
		}
	}

	/** The state changed: waiting senders check it again; a closing session may be all acknowledged. */
	private void signalBuffer() {
		this.replay.wake();
		if (this.state != State.OPEN && this.replay.isEmpty()) {
			this.allAcknowledged.complete(null);
		}
	}

	// ---- WebSocketSession plumbing: what the first connection's handshake said

	@Override
	public String getId() {
		return this.id;
	}

	@Override
	public @Nullable URI getUri() {
		return this.uri;
	}

	@Override
	public HttpHeaders getHandshakeHeaders() {
		return this.handshakeHeaders;
	}

	@Override
	public Map<String, Object> getAttributes() {
		return this.attributes;
	}

	@Override
	public @Nullable Principal getPrincipal() {
		return this.principal;
	}

	@Override
	public @Nullable InetSocketAddress getLocalAddress() {
		DrainingWebSocketSession current = this.connection;
		return (current != null) ? current.getLocalAddress() : null;
	}

	@Override
	public @Nullable InetSocketAddress getRemoteAddress() {
		DrainingWebSocketSession current = this.connection;
		return (current != null) ? current.getRemoteAddress() : null;
	}

	@Override
	public @Nullable String getAcceptedProtocol() {
		return this.acceptedProtocol;
	}

	@Override
	public void setTextMessageSizeLimit(int messageSizeLimit) {
		DrainingWebSocketSession current = this.connection;
		if (current != null) {
			current.setTextMessageSizeLimit(messageSizeLimit);
		}
	}

	@Override
	public int getTextMessageSizeLimit() {
		DrainingWebSocketSession current = this.connection;
		return (current != null) ? current.getTextMessageSizeLimit() : 0;
	}

	@Override
	public void setBinaryMessageSizeLimit(int messageSizeLimit) {
		DrainingWebSocketSession current = this.connection;
		if (current != null) {
			current.setBinaryMessageSizeLimit(messageSizeLimit);
		}
	}

	@Override
	public int getBinaryMessageSizeLimit() {
		DrainingWebSocketSession current = this.connection;
		return (current != null) ? current.getBinaryMessageSizeLimit() : 0;
	}

	@Override
	public List<WebSocketExtension> getExtensions() {
		DrainingWebSocketSession current = this.connection;
		return (current != null) ? current.getExtensions() : List.of();
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

	/**
	 * The handshake's attributes without those wsdrain put there for the connection, which
	 * reference it and, through it, the container's objects.
	 */
	private static Map<String, Object> applicationAttributes(Map<String, Object> connectionAttributes) {
		Map<String, Object> copy = new ConcurrentHashMap<>();
		connectionAttributes.forEach((key, value) -> {
			if (!key.startsWith(OWN_ATTRIBUTE_PREFIX) && !(value instanceof WebSocketSession)) {
				copy.put(key, value);
			}
		});
		return copy;
	}

	@Override
	public String toString() {
		return "ResumableSession[id=" + this.id + ", state=" + this.state + ", connected=" + isConnected() + "]";
	}

	private enum State {

		OPEN, CLOSING, CLOSED

	}

}

package io.github.wsdrain.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.github.wsdrain.protocol.Frames;
import io.github.wsdrain.protocol.Frames.Frame;
import io.github.wsdrain.protocol.Frames.SessionFrame;
import io.github.wsdrain.protocol.ProtocolViolationException;
import io.github.wsdrain.protocol.ReplayBuffer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * A {@link ReliableWebSocketConnection}: one {@code wsdrain.v1} session carried by a
 * succession of {@link TransportConnection transport connections}.
 * <p>
 * Each transport connection keeps its own bounded receive buffer; the consumer drains
 * them oldest first, so a lost connection's last messages come before the next
 * connection's. Duplicates are dropped twice over: on arrival (a resumed connection
 * replays what an older buffer still holds) and when taken (the one arrival that can
 * race a connection's end). Outbound messages stay in a replay buffer until the server
 * acknowledges them.
 */
final class ResumingConnection implements ReliableWebSocketConnection {

	private static final Log logger = LogFactory.getLog(ResumingConnection.class);

	/** An acknowledgement goes out at most this long after the consumer took a message. */
	private static final long ACK_DELAY_MILLIS = 100;

	/** Acknowledge sooner after this much, so that a fast stream never waits on the delay... */
	private static final long EAGER_ACK_BYTES = 32 * 1024;

	/** ...but not more often than this: the server refuses acknowledgement floods. */
	private static final long MIN_ACK_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

	private final BufferedWebSocketClient client;

	private final URI uri;

	private final @Nullable WebSocketHttpHeaders headers;

	private final ReliableConnectionListener listener;

	// ---- session state, guarded by stateLock

	private final ReentrantLock stateLock = new ReentrantLock();

	private final Condition readableChanged = this.stateLock.newCondition();

	/** Transport connections the consumer has not drained yet, oldest first. */
	private final ArrayDeque<TransportConnection> readable = new ArrayDeque<>();

	/** The newest transport connection that got its session frame. */
	private @Nullable TransportConnection current;

	/** Where sends go: the current connection once the replay has been written to it. */
	private volatile @Nullable TransportConnection live;

	/** Written under the state lock. */
	private volatile State state = State.CONNECTING;

	/** What receive() throws once drained, if not the last connection's own end; written under the state lock. */
	private volatile @Nullable ConnectionClosedException terminal;

	private @Nullable String token;

	private long windowMillis;

	private long lostNanos;

	private int attempt;

	/** Whether a reconnect attempt is scheduled or running: one at a time. */
	private boolean attemptPending;

	private long retiredReceived;

	private long retiredDropped;

	private int peakBufferedMessages;

	private long peakBufferedBytes;

	private int reconnects;

	private int resumes;

	private final AtomicBoolean closeStarted = new AtomicBoolean();

	private final CountDownLatch closeDone = new CountDownLatch(1);

	private @Nullable ScheduledFuture<?> ackTicker;

	private @Nullable ScheduledFuture<?> silenceMonitor;

	/** When the current connection last delivered a frame: the heartbeat keeps it recent. */
	private volatile long lastHeardNanos = System.nanoTime();

	// ---- inbound

	/** The newest sequence number in any transport connection's buffer. */
	private final AtomicLong highestBuffered = new AtomicLong();

	private final ReentrantLock receiveLock = new ReentrantLock();

	/** The newest sequence number the consumer has taken; written under the receive lock. */
	private volatile long consumed;

	private final AtomicLong consumedBytesSinceAck = new AtomicLong();

	private final AtomicBoolean ackQueued = new AtomicBoolean();

	/** Guards sending acknowledgements. */
	private final Object ackLock = new Object();

	private long acknowledged;

	private volatile long lastAckNanos = System.nanoTime();

	private final AtomicLong duplicates = new AtomicLong();

	// ---- outbound

	/** Held from numbering a message until it is written: keeps numbers in wire order. */
	private final ReentrantLock sendLock = new ReentrantLock(true);

	private final ReplayBuffer replay;

	ResumingConnection(BufferedWebSocketClient client, URI uri, @Nullable WebSocketHttpHeaders headers,
			@Nullable ReliableConnectionListener listener) {
		this.client = client;
		this.uri = uri;
		this.replay = new ReplayBuffer(client.getReplayBufferSize().toBytes());
		this.headers = headers;
		this.listener = (listener != null) ? listener : new ReliableConnectionListener() {
		};
	}

	/**
	 * Open the first connection and wait for its session frame.
	 * @throws WebSocketConnectException if the server cannot be reached or does not speak
	 * {@code wsdrain.v1}
	 */
	void open() {
		FirstConnection.open(this.uri, this.client.getConnectTimeout(), this.client.getReconnectBackoff(),
				this::openOnce);
		this.ackTicker = ClientThreads.TIMER.scheduleAtFixedRate(this::ackIfDue, ACK_DELAY_MILLIS, ACK_DELAY_MILLIS,
				TimeUnit.MILLISECONDS);
		this.silenceMonitor = SilenceMonitor.start(this.client.getHeartbeatTimeout(), () -> this.live,
				() -> this.lastHeardNanos);
	}

	/** One attempt at the first connection; {@link FirstConnection} retries it. */
	private void openOnce(Duration timeLeft) {
		Link link = new Link();
		TransportConnection transport = this.client.openTransport(this.uri, linkHeaders(), link);
		try {
			String accepted = transport.getSession().getAcceptedProtocol();
			if (!Frames.PROTOCOL.equals(accepted)) {
				throw new FirstConnection.Refused("Could not open a reliable connection to " + this.uri
						+ ": the server did not accept the " + Frames.PROTOCOL + " sub-protocol (it selected "
						+ ((accepted == null || accepted.isEmpty()) ? "none" : accepted)
						+ "); is wsdrain.server.resume.enabled true there?", null);
			}
			SessionFrame session = awaitSessionFrame(link, timeLeft);
			if (!startSession(transport, session)) {
				// The server has the session now: resume it like after any later loss.
				resumeAfterFirstLoss(transport);
			}
		}
		catch (RuntimeException ex) {
			// A session frame that comes after all must not start a second session.
			link.session.cancel(false);
			transport.close(CloseStatus.GOING_AWAY);
			throw ex;
		}
	}

	/** The first connection got its session frame and was lost: from here on, resume. */
	private void resumeAfterFirstLoss(TransportConnection transport) {
		this.stateLock.lock();
		try {
			if (this.state == State.CLOSED) {
				throw new FirstConnection.Refused("Could not open a reliable connection to " + this.uri
						+ ": the server ended the session right after it opened", null);
			}
			if (this.state == State.CONNECTING) {
				this.state = State.RECONNECTING;
				this.lostNanos = System.nanoTime();
				this.attempt = 0;
				if (this.current == transport) {
					this.current = null;
				}
				if (!this.attemptPending) {
					scheduleAttempt();
				}
			}
		}
		finally {
			this.stateLock.unlock();
		}
		logger.debug("First connection to " + this.uri + " lost right after its session frame: resuming");
	}

	private SessionFrame awaitSessionFrame(Link link, Duration timeout) {
		try {
			return link.session.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			throw new WebSocketConnectException("Could not open a reliable connection to " + this.uri + ": "
					+ ex.getCause().getMessage(), ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new WebSocketConnectException("Could not open a reliable connection to " + this.uri
					+ ": no session frame within " + timeout.toMillis() + " ms", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new WebSocketConnectException("Interrupted while connecting to " + this.uri, ex);
		}
	}

	/**
	 * Confirm the session frame, replay what the server has not delivered, then let live
	 * sends through. Holding the send lock keeps live messages behind the replay.
	 * @return whether the connection is still the current one
	 */
	private boolean startSession(TransportConnection transport, SessionFrame session) {
		this.sendLock.lock();
		try {
			boolean written;
			synchronized (this.ackLock) {
				// The confirmation: the server retires older tokens once it has any frame from us.
				long taken = this.consumed;
				written = write(transport, Frames.ack(taken));
				this.acknowledged = taken;
				this.lastAckNanos = System.nanoTime();
			}
			// What the server has delivered counts as acknowledged; the rest goes again.
			this.replay.acknowledge(session.received());
			List<WebSocketMessage<?>> missed = this.replay.unacknowledged();
			for (int i = 0; written && i < missed.size(); i++) {
				written = write(transport, missed.get(i));
			}
			if (!written) {
				// Lost again: its end starts the next attempt, which replays from what the server has then.
				return false;
			}
			this.stateLock.lock();
			try {
				if (this.current != transport || this.state == State.CLOSED) {
					return false;
				}
				this.live = transport;
				this.state = State.OPEN;
				return true;
			}
			finally {
				this.stateLock.unlock();
			}
		}
		finally {
			this.sendLock.unlock();
		}
	}

	// ---------------------------------------------------------------- receiving

	@Override
	public WebSocketMessage<?> receive() throws InterruptedException {
		return receive(this.client.getReceiveTimeout());
	}

	@Override
	public WebSocketMessage<?> receive(Duration timeout) throws InterruptedException {
		Assert.notNull(timeout, "Timeout must not be null");
		long deadline = System.nanoTime() + timeout.toNanos();
		this.receiveLock.lockInterruptibly();
		try {
			while (true) {
				TransportConnection source = awaitReadable(timeout, deadline);
				WebSocketMessage<?> raw;
				try {
					raw = source.receive(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
				}
				catch (ConnectionClosedException ex) {
					retire(source, ex);
					continue;
				}
				catch (ReceiveTimeoutException ex) {
					// Report the caller's timeout, not what was left of it for this connection.
					throw new ReceiveTimeoutException(timeout);
				}
				WebSocketMessage<?> message = take(raw);
				if (message != null) {
					return message;
				}
			}
		}
		finally {
			this.receiveLock.unlock();
		}
	}

	/** Wait for a transport connection to read from; throw the end when there is none left. */
	private TransportConnection awaitReadable(Duration timeout, long deadline) throws InterruptedException {
		this.stateLock.lock();
		try {
			while (this.readable.isEmpty()) {
				if (this.state == State.CLOSED && this.terminal != null) {
					throw this.terminal;
				}
				long nanos = deadline - System.nanoTime();
				if (nanos <= 0) {
					throw new ReceiveTimeoutException(timeout);
				}
				this.readableChanged.awaitNanos(nanos);
			}
			return this.readable.peekFirst();
		}
		finally {
			this.stateLock.unlock();
		}
	}

	/**
	 * A transport connection is drained and ended. The listener has already decided
	 * what its end means: if the session is over and nothing newer is left, its end is
	 * the session's.
	 */
	private void retire(TransportConnection source, ConnectionClosedException end) {
		this.stateLock.lock();
		try {
			this.readable.remove(source);
			this.peakBufferedMessages = Math.max(this.peakBufferedMessages, source.getPeakBufferedMessages());
			this.peakBufferedBytes = Math.max(this.peakBufferedBytes, source.getPeakBufferedBytes());
			this.retiredReceived += source.getReceivedMessages();
			this.retiredDropped += source.getDroppedMessages();
			if (this.state == State.CLOSED && this.readable.isEmpty() && this.terminal == null) {
				this.terminal = end;
			}
		}
		finally {
			this.stateLock.unlock();
		}
	}

	/** Unwrap a data frame for the consumer, or drop it as a duplicate. */
	private @Nullable WebSocketMessage<?> take(WebSocketMessage<?> raw) {
		Frame frame;
		try {
			frame = Frames.parse(raw);
		}
		catch (ProtocolViolationException ex) {
			throw new IllegalStateException("Buffered a frame that is not data: " + ex.getMessage(), ex);
		}
		long seq = frame.seq();
		if (seq <= this.consumed) {
			this.duplicates.incrementAndGet();
			return null;
		}
		Assert.state(seq == this.consumed + 1, () -> "Message " + seq + " after " + this.consumed + " from " + this.uri);
		this.consumed = seq;
		WebSocketMessage<?> payload = frame.payload();
		if (this.consumedBytesSinceAck.addAndGet(payload.getPayloadLength()) >= EAGER_ACK_BYTES
				&& System.nanoTime() - this.lastAckNanos >= MIN_ACK_INTERVAL_NANOS) {
			queueAck();
		}
		return payload;
	}

	private void ackIfDue() {
		if (this.consumed > this.acknowledged) {
			queueAck();
		}
	}

	private void queueAck() {
		if (this.ackQueued.compareAndSet(false, true)) {
			ClientThreads.WORKERS.execute(() -> {
				this.ackQueued.set(false);
				sendAck();
			});
		}
	}

	private void sendAck() {
		TransportConnection transport = this.live;
		if (transport == null) {
			return;
		}
		synchronized (this.ackLock) {
			long taken = this.consumed;
			if (taken > this.acknowledged) {
				this.acknowledged = taken;
				this.lastAckNanos = System.nanoTime();
				this.consumedBytesSinceAck.set(0);
				write(transport, Frames.ack(taken));
			}
		}
	}

	// ---------------------------------------------------------------- sending

	/**
	 * Number the message and keep it until the server acknowledges it; write it now if
	 * connected, else with the replay after the reconnect. Waits while the replay buffer
	 * is full, up to the send timeout.
	 * @throws SendTimeoutException if the replay buffer stayed full for the send timeout
	 * @throws ConnectionClosedException if the session is over
	 * @throws IllegalStateException if {@link #close()} has been called
	 */
	@Override
	public void send(WebSocketMessage<?> message) {
		Assert.notNull(message, "Message must not be null");
		long deadline = 0;
		while (true) {
			this.sendLock.lock();
			try {
				WebSocketMessage<?> frame = this.replay.add(message, this::ensureSending);
				if (frame != null) {
					TransportConnection transport = this.live;
					if (transport != null) {
						write(transport, frame);
					}
					return;
				}
			}
			finally {
				this.sendLock.unlock();
			}
			// Full: wait without the send lock, which the replay after a reconnect needs.
			Duration timeout = this.client.getReplaySendTimeout();
			deadline = (deadline != 0) ? deadline : System.nanoTime() + timeout.toNanos();
			awaitRoom(message.getPayloadLength(), deadline, timeout);
		}
	}

	/** Without the state lock: it runs under the replay buffer's, which the state lock's holders take. */
	private void ensureSending() {
		if (this.closeStarted.get()) {
			throw new IllegalStateException("Reliable WebSocket connection to " + this.uri + " is closing");
		}
		if (this.state == State.CLOSED) {
			ConnectionClosedException end = this.terminal;
			throw (end != null) ? end
					: new IllegalStateException("Reliable WebSocket connection to " + this.uri + " is closed");
		}
	}

	/** Back-pressure: wait for the server's acknowledgements, never drop. */
	private void awaitRoom(int payloadLength, long deadline, Duration timeout) {
		boolean room;
		try {
			room = this.replay.awaitRoom(payloadLength, deadline, this::ensureSending);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for room in the replay buffer to " + this.uri,
					ex);
		}
		if (!room) {
			throw new SendTimeoutException("Message of " + payloadLength + " bytes not accepted: the replay buffer of "
					+ this.client.getReplayBufferSize().toBytes() + " bytes to " + this.uri + " stayed full for "
					+ timeout.toMillis() + " ms", timeout);
		}
	}

	/** Write a frame; a failure leaves it in the replay buffer and the connection's end starts a reconnect. */
	private boolean write(TransportConnection transport, WebSocketMessage<?> frame) {
		try {
			transport.send(frame);
			return true;
		}
		catch (RuntimeException ex) {
			if (logger.isTraceEnabled()) {
				logger.trace("Write to " + this.uri + " failed: " + ex.getMessage());
			}
			// Never write past a frame that did not go out: the server would see a gap.
			ClientThreads.WORKERS.execute(() -> transport.close(CloseStatus.GOING_AWAY));
			return false;
		}
	}

	// ---------------------------------------------------------------- closing

	/**
	 * End the session: wait up to the close timeout for the server to acknowledge what
	 * was sent here (reconnecting meanwhile if needed), then close with the given
	 * status. Messages still buffered stay receivable.
	 */
	@Override
	public void close(CloseStatus status) {
		Assert.notNull(status, "CloseStatus must not be null");
		if (!this.closeStarted.compareAndSet(false, true)) {
			awaitCloseDone();
			return;
		}
		try {
			awaitAllAcknowledged();
			TransportConnection transport;
			this.stateLock.lock();
			try {
				if (this.state == State.CLOSED) {
					return;
				}
				transport = this.current;
				if (transport == null) {
					this.terminal = new ConnectionClosedException(status.getCode(),
							"Closed while reconnecting: the server keeps the session until its window ends", false);
				}
				endSession();
			}
			finally {
				this.stateLock.unlock();
			}
			if (transport != null) {
				transport.close(status);
			}
			this.listener.closed(this, status);
		}
		finally {
			this.closeDone.countDown();
		}
	}

	private void awaitAllAcknowledged() {
		long deadline = System.nanoTime() + this.client.getCloseTimeout().toNanos();
		try {
			if (!this.replay.awaitEmpty(deadline, this::isClosed)) {
				logger.debug("Closing " + this.uri + " with " + this.replay.size()
						+ " message(s) the server has not acknowledged");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void awaitCloseDone() {
		try {
			this.closeDone.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Call with the state lock held. */
	private void endSession() {
		this.state = State.CLOSED;
		this.live = null;
		if (this.ackTicker != null) {
			this.ackTicker.cancel(false);
		}
		if (this.silenceMonitor != null) {
			this.silenceMonitor.cancel(false);
		}
		this.readableChanged.signalAll();
		this.replay.wake();
	}

	/** End the session for a reason that is not a transport connection's own end. */
	private void endSession(ConnectionClosedException end) {
		this.stateLock.lock();
		try {
			if (this.state == State.CLOSED) {
				return;
			}
			this.terminal = end;
			endSession();
		}
		finally {
			this.stateLock.unlock();
		}
		this.listener.closed(this, end.getCloseStatus());
	}

	// ---------------------------------------------------------------- losing and resuming

	/** A transport connection ended: the end of the session, or a loss to recover from. */
	private void ended(Link link, TransportConnection transport, CloseStatus status) {
		link.session.completeExceptionally(new ConnectionClosedException(status.getCode(),
				(status.getReason() != null) ? status.getReason() : "",
				status.getCode() != CloseStatus.NO_CLOSE_FRAME.getCode()));
		boolean lost;
		this.stateLock.lock();
		try {
			if (transport != this.current || this.state == State.CLOSED) {
				return;
			}
			this.current = null;
			this.live = null;
			if (this.state == State.CONNECTING) {
				return;
			}
			lost = !endsSession(status);
			if (lost) {
				this.state = State.RECONNECTING;
				this.lostNanos = System.nanoTime();
				this.attempt = 0;
				if (!this.attemptPending) {
					scheduleAttempt();
				}
			}
			else {
				// The session is over: the consumer gets this connection's own end last.
				endSession();
			}
		}
		finally {
			this.stateLock.unlock();
		}
		if (lost) {
			logger.debug("Connection to " + this.uri + " lost with " + status + ": reconnecting");
			this.listener.reconnecting(this, status);
		}
		else {
			this.listener.closed(this, status);
		}
	}

	/**
	 * 1000: the server closed the session; 1002, 1008: it refused this client; 1009: a
	 * message too big for one side, which a resume would only replay again.
	 */
	private static boolean endsSession(CloseStatus status) {
		int code = status.getCode();
		return code == CloseStatus.NORMAL.getCode() || code == CloseStatus.PROTOCOL_ERROR.getCode()
				|| code == CloseStatus.POLICY_VIOLATION.getCode() || code == CloseStatus.TOO_BIG_TO_PROCESS.getCode();
	}

	/** Call with the state lock held. */
	private void scheduleAttempt() {
		ReconnectBackoff backoff = this.client.getReconnectBackoff();
		this.attemptPending = true;
		this.attempt++;
		long away = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.lostNanos);
		if (this.attempt > backoff.maxAttempts() || away >= this.windowMillis) {
			String reason = "Gave up reconnecting after " + (this.attempt - 1) + " attempt(s) in " + away + " ms";
			ClientThreads.WORKERS.execute(() -> endSession(new ConnectionClosedException(1006, reason, false)));
			return;
		}
		long delay = backoff.delayBefore(this.attempt).toNanos();
		ClientThreads.TIMER.schedule(() -> ClientThreads.WORKERS.execute(this::attemptResume), delay,
				TimeUnit.NANOSECONDS);
	}

	private void attemptResume() {
		try {
			tryToResume();
		}
		finally {
			this.stateLock.lock();
			try {
				this.attemptPending = false;
				if (this.state == State.RECONNECTING && this.current == null) {
					// Failed, or the connection it opened was lost already: the next one.
					scheduleAttempt();
				}
			}
			finally {
				this.stateLock.unlock();
			}
		}
	}

	private void tryToResume() {
		String resumeToken;
		long taken;
		this.stateLock.lock();
		try {
			if (this.state != State.RECONNECTING) {
				return;
			}
			resumeToken = this.token;
			taken = this.consumed;
		}
		finally {
			this.stateLock.unlock();
		}
		Link link = new Link();
		link.resuming = true;
		TransportConnection transport = null;
		try {
			transport = this.client.openTransport(resumeUri(resumeToken, taken), linkHeaders(), link);
			SessionFrame session = link.session.get(this.client.getConnectTimeout().toNanos(), TimeUnit.NANOSECONDS);
			if (!session.resumed()) {
				notRecovered(transport);
				return;
			}
			if (startSession(transport, session)) {
				logger.debug("Resumed the session to " + this.uri + " after " + this.attempt + " attempt(s)");
				this.listener.resumed(this);
			}
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof ConnectionClosedException end && end.isCloseFrameReceived()) {
				// The session had ended (its close frame was lost with the connection, or the
				// server drained it), or the server refused the resume: a close frame in place
				// of the session frame says so.
				logger.debug("Resume of the session to " + this.uri + " answered with " + end.getCloseStatus());
				endSession(end);
				return;
			}
			attemptFailed(transport, ex);
		}
		catch (WebSocketConnectException | TimeoutException ex) {
			attemptFailed(transport, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void attemptFailed(@Nullable TransportConnection transport, Exception ex) {
		logger.debug("Reconnect attempt " + this.attempt + " to " + this.uri + " failed: " + ex.getMessage());
		if (transport != null) {
			transport.close(CloseStatus.GOING_AWAY);
		}
	}

	private void notRecovered(TransportConnection transport) {
		logger.debug("Session to " + this.uri + " not recovered: the server no longer has it");
		this.listener.notRecovered(this);
		endSession(new SessionNotRecoveredException("The server no longer had the session (resume window passed or "
				+ "server restarted): messages may be missing, resynchronise"));
		// The server opened a new session for this connection: end it.
		transport.close(CloseStatus.NORMAL);
	}

	private URI resumeUri(@Nullable String resumeToken, long last) {
		return UriComponentsBuilder.fromUri(this.uri)
			.replaceQueryParam("wsdrain-token", resumeToken)
			.replaceQueryParam("wsdrain-last", last)
			.build(true)
			.toUri();
	}

	private WebSocketHttpHeaders linkHeaders() {
		WebSocketHttpHeaders linkHeaders = new WebSocketHttpHeaders();
		if (this.headers != null) {
			linkHeaders.putAll(this.headers);
		}
		linkHeaders.setSecWebSocketProtocol(Frames.PROTOCOL);
		return linkHeaders;
	}

	// ---------------------------------------------------------------- state

	@Override
	public URI getUri() {
		return this.uri;
	}

	@Override
	public WebSocketSession getSession() {
		TransportConnection transport = this.live;
		Assert.state(transport != null, () -> "Not connected to " + this.uri + " (reconnecting or closed)");
		return transport.getSession();
	}

	@Override
	public boolean isOpen() {
		return !this.closeStarted.get() && !isClosed();
	}

	@Override
	public boolean isClosed() {
		return this.state == State.CLOSED;
	}

	@Override
	public boolean isConnected() {
		return this.live != null;
	}

	@Override
	public int getReconnects() {
		this.stateLock.lock();
		try {
			return this.reconnects;
		}
		finally {
			this.stateLock.unlock();
		}
	}

	@Override
	public int getResumes() {
		this.stateLock.lock();
		try {
			return this.resumes;
		}
		finally {
			this.stateLock.unlock();
		}
	}

	@Override
	public long getDuplicates() {
		return this.duplicates.get();
	}

	@Override
	public int getUnacknowledgedMessages() {
		return this.replay.size();
	}

	@Override
	public int getBufferedMessages() {
		this.stateLock.lock();
		try {
			return this.readable.stream().mapToInt(TransportConnection::getBufferedMessages).sum();
		}
		finally {
			this.stateLock.unlock();
		}
	}

	@Override
	public long getBufferedBytes() {
		this.stateLock.lock();
		try {
			return this.readable.stream().mapToLong(TransportConnection::getBufferedBytes).sum();
		}
		finally {
			this.stateLock.unlock();
		}
	}

	@Override
	public int getPeakBufferedMessages() {
		this.stateLock.lock();
		try {
			return Math.max(this.peakBufferedMessages,
					this.readable.stream().mapToInt(TransportConnection::getPeakBufferedMessages).max().orElse(0));
		}
		finally {
			this.stateLock.unlock();
		}
	}

	@Override
	public long getPeakBufferedBytes() {
		this.stateLock.lock();
		try {
			return Math.max(this.peakBufferedBytes,
					this.readable.stream().mapToLong(TransportConnection::getPeakBufferedBytes).max().orElse(0));
		}
		finally {
			this.stateLock.unlock();
		}
	}

	@Override
	public long getReceivedMessages() {
		this.stateLock.lock();
		try {
			return this.retiredReceived + this.readable.stream().mapToLong(TransportConnection::getReceivedMessages).sum();
		}
		finally {
			this.stateLock.unlock();
		}
	}

	@Override
	public long getDroppedMessages() {
		this.stateLock.lock();
		try {
			return this.retiredDropped + this.readable.stream().mapToLong(TransportConnection::getDroppedMessages).sum();
		}
		finally {
			this.stateLock.unlock();
		}
	}

	@Override
	public String toString() {
		return "ReliableWebSocketConnection[" + this.uri + "]";
	}

	private enum State {

		CONNECTING, OPEN, RECONNECTING, CLOSED

	}

	/**
	 * Sees one transport connection's frames on the container's reading thread: the
	 * session frame, the server's acknowledgements, and data, dropping duplicates.
	 */
	private final class Link implements TransportConnection.Listener {

		final CompletableFuture<SessionFrame> session = new CompletableFuture<>();

		/** Whether this connection was opened to resume: a new session then is not recovered. */
		volatile boolean resuming;

		/** Whether this connection carries the session: its data goes to the consumer. */
		private boolean accepted;

		private long pending;

		/** Set on another thread when the connection ends, while its reader may still deliver. */
		private volatile boolean over;

		@Override
		public boolean admit(TransportConnection from, WebSocketMessage<?> message) {
			ResumingConnection.this.lastHeardNanos = System.nanoTime();
			try {
				if (!this.session.isDone()) {
					sessionFrame(from, Frames.parseSession(message));
					return false;
				}
				if (!this.accepted || this.over) {
					// Not the session's, or ended: what its reading thread still delivers is late.
					return false;
				}
				Frame frame = Frames.parse(message);
				if (frame.type() == 'a') {
					acknowledgedByServer(frame.seq());
					return false;
				}
				long last = ResumingConnection.this.highestBuffered.get();
				if (frame.seq() <= last) {
					ResumingConnection.this.duplicates.incrementAndGet();
					return false;
				}
				if (frame.seq() > last + 1) {
					throw ProtocolViolationException.malformed("Gap in server sequence: " + frame.seq() + " after " + last);
				}
				this.pending = frame.seq();
				return true;
			}
			catch (ProtocolViolationException ex) {
				violation(from, ex.getStatus());
				return false;
			}
		}

		private void sessionFrame(TransportConnection from, SessionFrame frame) {
			boolean carriesSession = frame.resumed() || !this.resuming;
			ResumingConnection.this.stateLock.lock();
			try {
				if (carriesSession && ResumingConnection.this.state != State.CLOSED) {
					this.accepted = true;
					ResumingConnection.this.current = from;
					ResumingConnection.this.readable.addLast(from);
					ResumingConnection.this.token = frame.token();
					ResumingConnection.this.windowMillis = frame.windowMillis();
					if (this.resuming) {
						ResumingConnection.this.reconnects++;
						ResumingConnection.this.resumes++;
					}
					ResumingConnection.this.readableChanged.signalAll();
				}
				else if (this.resuming) {
					ResumingConnection.this.reconnects++;
				}
			}
			finally {
				ResumingConnection.this.stateLock.unlock();
			}
			this.session.complete(frame);
		}

		private void acknowledgedByServer(long seq) throws ProtocolViolationException {
			if (!ResumingConnection.this.replay.acknowledge(seq)) {
				throw ProtocolViolationException.malformed("Acknowledged a message never sent");
			}
		}

		private void violation(TransportConnection from, CloseStatus status) {
			logger.debug("Server " + ResumingConnection.this.uri + " broke " + Frames.PROTOCOL + ": " + status);
			this.session.completeExceptionally(new ConnectionClosedException(status.getCode(),
					String.valueOf(status.getReason()), false));
			endSession(new ConnectionClosedException(status.getCode(), "Server broke " + Frames.PROTOCOL + ": "
					+ status.getReason(), false));
			ClientThreads.WORKERS.execute(() -> from.close(status));
		}

		@Override
		public void buffered() {
			ResumingConnection.this.highestBuffered.accumulateAndGet(this.pending, Math::max);
		}

		@Override
		public void ended(TransportConnection transport, CloseStatus status) {
			this.over = true;
			ResumingConnection.this.ended(this, transport, status);
		}

	}

}

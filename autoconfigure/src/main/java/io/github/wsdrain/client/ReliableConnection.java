package io.github.wsdrain.client;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

import io.github.wsdrain.protocol.AckScheduler;
import io.github.wsdrain.protocol.Frame;
import io.github.wsdrain.protocol.FrameCodec;
import io.github.wsdrain.protocol.InboundSequence;
import io.github.wsdrain.protocol.OutboundStream;
import io.github.wsdrain.protocol.ProtocolViolationException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.util.Assert;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * A {@link ReliableWebSocketConnection}: one {@code wsdrain.v1} session carried by a
 * succession of {@link TransportConnection transport connections}, driven by a
 * {@link SessionState} state machine. Its parts: the protocol's {@link OutboundStream},
 * {@link InboundSequence} and {@link AckScheduler}; a {@link SessionLink} per transport
 * connection, which sees its frames; the {@link ReadableTransports} the consumer drains;
 * the {@link Reconnector}, which resumes after a loss; the {@link SilenceMonitor}, which
 * gives up a connection gone silent.
 */
final class ReliableConnection extends AbstractBufferedConnection implements ReliableWebSocketConnection {

	private static final Log logger = LogFactory.getLog(ReliableConnection.class);

	private final ReliableConnectionListener listener;

	private final Executor executor;

	final OutboundStream out;

	/** What the server sends: into the transports' buffers once and in order. */
	final InboundSequence in = new InboundSequence();

	/** Acknowledges what the consumer has taken. */
	private final AckScheduler acks;

	private final ReadableTransports readable = new ReadableTransports();

	private final Reconnector reconnector;

	private final ReentrantLock receiveLock = new ReentrantLock();

	private final SessionState state = new SessionState();

	/** Watches the live connection for silence; started with the first connection. */
	private final SilenceMonitor silence;

	ReliableConnection(URI uri, @Nullable WebSocketHttpHeaders headers, ConnectionSettings settings,
			@Nullable ReliableConnectionListener listener, Reconnector.Transports transports, TaskScheduler scheduler,
			Executor executor) {
		super(uri, settings);
		this.executor = executor;
		this.listener = (listener != null) ? listener : new ReliableConnectionListener() {
		};
		this.out = new OutboundStream(settings.replayBufferSize(), true);
		this.acks = new AckScheduler(this.out, scheduler, executor);
		this.reconnector = new Reconnector(this, uri, headers, settings, transports, scheduler, executor);
		this.silence = new SilenceMonitor(settings.heartbeatTimeout(), this.state::live, scheduler, executor);
	}

	/**
	 * Open the first connection and wait for its session frame.
	 * @throws WebSocketConnectException if the server cannot be reached or does not speak
	 * {@code wsdrain.v1}
	 */
	void open() {
		this.silence.start();
		try {
			this.reconnector.connect();
		}
		catch (RuntimeException | Error ex) {
			this.silence.stop();
			throw ex;
		}
	}

	/**
	 * Any frame from the server is proof of life: on silence the live transport is closed,
	 * OPEN → RECONNECTING.
	 */
	void heard() {
		this.silence.heard();
	}

	// ---------------------------------------------------------------- transitions

	/** A transport connection got its session frame: see {@link SessionState#sessionFrame}. */
	boolean sessionFrame(TransportConnection from, Frame.Session frame, boolean resuming) {
		return this.state.sessionFrame(from, frame, resuming, () -> this.readable.add(from));
	}

	/**
	 * Confirm the session frame, replay what the server has not delivered, then let live
	 * sends through: CONNECTING or RECONNECTING → OPEN.
	 * @return whether the connection is live; {@code false} if it was lost meanwhile (its
	 * end starts the next attempt, which replays from what the server has then)
	 */
	boolean goLive(TransportConnection transport, Frame.Session session) {
		// A new connection starts its silence afresh.
		heard();
		return this.out.attach((frame) -> write(transport, frame), () -> {
			// The confirmation: the server retires older tokens once it has any frame from us.
			if (!write(transport, FrameCodec.ack(this.acks.acknowledgeAll()))) {
				return false;
			}
			// What the server has delivered counts as acknowledged; the rest goes again.
			try {
				this.out.acknowledge(session.received());
			}
			catch (ProtocolViolationException ex) {
				// More than was ever sent: the replay shows the server everything it lacks.
			}
			return true;
		}, () -> this.state.goLive(transport));
	}

	/** A transport connection ended: OPEN → RECONNECTING, or → CLOSED if the end ends the session. */
	void connectionEnded(TransportConnection transport, CloseStatus status) {
		SessionState.Loss loss = this.state.connectionEnded(transport, endsSession(status), () -> sessionOver(null));
		if (loss == SessionState.Loss.RECONNECTING) {
			this.out.detach();
			logger.debug("Connection to " + this.uri + " lost with " + status + ": reconnecting");
			this.reconnector.lost();
			this.listener.reconnecting(this, status);
		}
		else if (loss == SessionState.Loss.SESSION_OVER) {
			// The session is over: the consumer gets this connection's own end last.
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

	/** Any state → CLOSED, for a reason that is not a transport connection's own end. */
	void end(ConnectionClosedException end) {
		if (this.state.end((last) -> sessionOver(end))) {
			this.listener.closed(this, end.getCloseStatus());
		}
	}

	/** On → CLOSED: no more sends, and the consumer gets the end once drained. */
	private void sessionOver(@Nullable ConnectionClosedException end) {
		this.silence.stop();
		this.out.detach();
		this.readable.sessionOver(end);
		this.out.wake();
	}

	/** A resume was answered {@code s:n}: the server no longer had the session. */
	void notRecovered() {
		logger.debug("Session to " + this.uri + " not recovered: the server no longer has it");
		this.listener.notRecovered(this);
		end(new SessionNotRecoveredException("The server no longer had the session (resume window passed or "
				+ "server restarted): messages may be missing, resynchronise"));
	}

	void resumed(int attempt) {
		logger.debug("Resumed the session to " + this.uri + " after " + attempt + " attempt(s)");
		this.listener.resumed(this);
	}

	/** The server broke the protocol: the session ends with the status, the connection closes. */
	void violation(TransportConnection from, CloseStatus status) {
		logger.debug("Server " + this.uri + " broke " + FrameCodec.PROTOCOL + ": " + status);
		end(new ConnectionClosedException(status.getCode(), "Server broke " + FrameCodec.PROTOCOL + ": "
				+ status.getReason(), false));
		runAsync(() -> from.close(status));
	}

	/** What a resume offers, or {@code null} once the session is not RECONNECTING. */
	Reconnector.@Nullable Resume resumeParameters() {
		return this.state.resume(this.acks.taken());
	}

	boolean needsAttempt() {
		return this.state.needsAttempt();
	}

	long windowMillis() {
		return this.state.windowMillis();
	}

	// ---------------------------------------------------------------- receiving

	@Override
	public WebSocketMessage<?> receive(Duration timeout) throws InterruptedException {
		Assert.notNull(timeout, "Timeout must not be null");
		long deadline = System.nanoTime() + timeout.toNanos();
		this.receiveLock.lockInterruptibly();
		try {
			while (true) {
				TransportConnection source = this.readable.await(timeout, deadline);
				ReceiveBuffer.Received next;
				try {
					next = source.take(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
				}
				catch (ConnectionClosedException ex) {
					this.readable.retire(source, ex);
					continue;
				}
				catch (ReceiveTimeoutException ex) {
					// Report the caller's timeout, not what was left of it for this connection.
					throw new ReceiveTimeoutException(timeout);
				}
				this.acks.taken(next.seq(), next.bytes());
				return next.message();
			}
		}
		finally {
			this.receiveLock.unlock();
		}
	}

	// ---------------------------------------------------------------- sending

	/**
	 * Number the message and keep it until the server acknowledges it; write it now if
	 * connected, else with the replay after the reconnect. Waits while the replay buffer
	 * is full, up to the send time limit.
	 * @throws SendTimeoutException if the replay buffer stayed full for the send time limit
	 * @throws ConnectionClosedException if the session is over
	 * @throws IllegalStateException if {@link #close()} has been called
	 */
	@Override
	public void send(WebSocketMessage<?> message) {
		Assert.notNull(message, "Message must not be null");
		Duration timeout = this.settings.sendTimeLimit();
		boolean sent;
		try {
			sent = this.out.send(message, timeout, this::ensureSending);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for room in the replay buffer to " + this.uri,
					ex);
		}
		if (!sent) {
			throw new SendTimeoutException("Message of " + message.getPayloadLength()
					+ " bytes not accepted: the replay buffer of " + this.settings.replayBufferSize() + " bytes to "
					+ this.uri + " stayed full for " + timeout.toMillis() + " ms", timeout);
		}
	}

	/** Without the state lock: it runs under the replay buffer's, which the state lock's holders take. */
	private void ensureSending() {
		if (isCloseStarted()) {
			throw new IllegalStateException("Reliable WebSocket connection to " + this.uri + " is closing");
		}
		if (this.state.state() == SessionState.State.CLOSED) {
			ConnectionClosedException end = this.readable.terminal();
			throw (end != null) ? end
					: new IllegalStateException("Reliable WebSocket connection to " + this.uri + " is closed");
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
			runAsync(() -> transport.close(CloseStatus.GOING_AWAY));
			return false;
		}
	}

	/** Off the caller's thread, which may be a container's reading thread; on it once the client is closed. */
	private void runAsync(Runnable task) {
		try {
			this.executor.execute(task);
		}
		catch (RejectedExecutionException ex) {
			task.run();
		}
	}

	// ---------------------------------------------------------------- closing

	/**
	 * End the session: wait up to the close timeout for the server to acknowledge what
	 * was sent here (reconnecting meanwhile if needed), then close with the given
	 * status. Messages still buffered stay receivable.
	 */
	@Override
	void closeOnce(CloseStatus status) {
		awaitAllAcknowledged();
		AtomicReference<@Nullable TransportConnection> carrying = new AtomicReference<>();
		boolean ended = this.state.end((last) -> {
			carrying.set(last);
			sessionOver((last != null) ? null : new ConnectionClosedException(status.getCode(),
					"Closed while reconnecting: the server keeps the session until its window ends", false));
		});
		if (!ended) {
			return;
		}
		TransportConnection transport = carrying.get();
		if (transport != null) {
			transport.close(status);
		}
		this.listener.closed(this, status);
	}

	private void awaitAllAcknowledged() {
		try {
			if (!this.out.awaitAllAcknowledged(this.settings.closeTimeout(), this::isClosed)) {
				logger.debug("Closing " + this.uri + " with " + this.out.unacknowledged()
						+ " message(s) the server has not acknowledged");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	// ---------------------------------------------------------------- state

	@Override
	public WebSocketSession getSession() {
		TransportConnection transport = this.state.live();
		Assert.state(transport != null, () -> "Not connected to " + this.uri + " (reconnecting or closed)");
		return transport.getSession();
	}

	@Override
	public boolean isOpen() {
		return !isCloseStarted() && !isClosed();
	}

	@Override
	public boolean isClosed() {
		return this.state.state() == SessionState.State.CLOSED;
	}

	@Override
	public boolean isConnected() {
		return this.state.live() != null;
	}

	@Override
	public int getReconnects() {
		return this.state.reconnects();
	}

	@Override
	public int getResumes() {
		return this.state.resumes();
	}

	@Override
	public long getDuplicates() {
		return this.in.duplicates();
	}

	@Override
	public int getUnacknowledgedMessages() {
		return this.out.unacknowledged();
	}

	@Override
	ReceiveCounts receiveCounts() {
		return this.readable.counts();
	}

	@Override
	public String toString() {
		return "ReliableWebSocketConnection[" + this.uri + ", " + this.state.state() + "]";
	}

}

package io.github.wsdrain.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * One transport connection: the container's session, the close handshake, and a
 * {@link ReceiveBuffer} of what it received, assembled by a {@link MessageAssembler}.
 * The guarantees are documented on {@link BufferedWebSocketConnection}; a
 * {@link Listener} lets a {@link ReliableConnection} see the protocol frames and the end
 * of each of its connections.
 */
final class TransportConnection extends AbstractBufferedConnection {

	private static final Log logger = LogFactory.getLog(TransportConnection.class);

	private final Duration closeTimeout;

	private final ReceiveBuffer buffer;

	private final Receiver receiver = new Receiver();

	private final MessageAssembler assembler;

	private volatile @Nullable CloseStatus reportedStatus;

	private volatile boolean transportError;

	private final CountDownLatch transportClosed = new CountDownLatch(1);

	private final ReentrantLock sendLock = new ReentrantLock(true);

	private volatile @Nullable WebSocketSession session;

	private volatile boolean abandoned;

	private final @Nullable Listener listener;

	TransportConnection(URI uri, ConnectionSettings settings, @Nullable Listener listener) {
		super(uri, settings);
		this.listener = listener;
		this.closeTimeout = settings.closeTimeout();
		// A reliable connection always blocks on a full buffer: a drop would break its guarantee.
		this.buffer = new ReceiveBuffer(settings.maxBufferedMessages(), settings.maxBufferedBytes(),
				(listener != null) ? ReceiveOverflowPolicy.BLOCK : settings.overflowPolicy());
		this.assembler = new MessageAssembler(settings.maxBufferedBytes(), this.receiver);
	}

	WebSocketHandler handler() {
		return this.receiver;
	}

	/**
	 * The opening handshake has completed: from now on {@code BLOCK} may hold the
	 * container's reading thread.
	 */
	void connected(WebSocketSession session) {
		this.session = session;
		this.buffer.allowBlocking();
	}

	/**
	 * The caller gave up connecting: close the session now if it exists, or as soon as the
	 * handshake completes.
	 */
	void abandon() {
		this.abandoned = true;
		closeAbandoned(this.session);
	}

	/**
	 * Give up a connection that shows no life: end it at once as lost (1006), without
	 * waiting for a close handshake the peer would never answer.
	 */
	void abort(String reason) {
		WebSocketSession current = this.session;
		if (current != null && TomcatSupport.isTomcat(current)) {
			TomcatSupport.abort(current, reason);
		}
		else if (current != null) {
			fail(4001, reason);
		}
	}

	private void closeAbandoned(@Nullable WebSocketSession session) {
		if (session != null && this.abandoned) {
			try {
				session.close(CloseStatus.GOING_AWAY);
			}
			catch (IOException | RuntimeException ex) {
				logger.debug("Could not close the abandoned connection to " + this.uri, ex);
			}
		}
	}

	// ---------------------------------------------------------------- receiving

	@Override
	public WebSocketMessage<?> receive(Duration timeout) throws InterruptedException {
		return take(timeout).message();
	}

	/**
	 * Take the oldest buffered message, waiting up to the timeout.
	 * @throws ConnectionClosedException when drained and ended
	 * @throws ReceiveTimeoutException when nothing arrived in time
	 */
	ReceiveBuffer.Received take(Duration timeout) throws InterruptedException {
		Assert.notNull(timeout, "Timeout must not be null");
		return this.buffer.take(timeout);
	}

	/**
	 * Buffer a message a {@link Listener} admitted, on the container's reading thread.
	 * @param message what the consumer gets
	 * @param bytes its size
	 * @param seq its sequence number
	 * @return whether it was buffered; {@code false} if the connection ended meanwhile
	 */
	boolean offer(WebSocketMessage<?> message, long bytes, long seq) {
		return this.buffer.offer(message, bytes, seq) == ReceiveBuffer.Offer.BUFFERED;
	}

	// ---------------------------------------------------------------- sending

	@Override
	public void send(WebSocketMessage<?> message) {
		Assert.notNull(message, "Message must not be null");
		if (isCloseStarted()) {
			throw notOpen();
		}
		this.sendLock.lock();
		try {
			WebSocketSession session = session();
			if (!session.isOpen()) {
				throw notOpen();
			}
			session.sendMessage(message);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not send to " + this.uri + ": " + ex.getMessage(), ex);
		}
		catch (IllegalStateException ex) {
			if (!session().isOpen()) {
				throw notOpen();
			}
			throw ex;
		}
		finally {
			this.sendLock.unlock();
		}
	}

	private RuntimeException notOpen() {
		ConnectionClosedException end = this.buffer.getEnd();
		return (end != null) ? end : new IllegalStateException("WebSocket connection to " + this.uri + " is closing");
	}

	private WebSocketSession session() {
		WebSocketSession session = this.session;
		Assert.state(session != null, "Not connected");
		return session;
	}

	// ---------------------------------------------------------------- closing

	@Override
	void closeOnce(CloseStatus status) {
		WebSocketSession session = this.session;
		boolean alreadyEnded;
		this.sendLock.lock();
		try {
			alreadyEnded = this.buffer.closing() || session == null;
			if (!alreadyEnded) {
				try {
					session.close(status);
				}
				catch (IOException | RuntimeException ex) {
					logger.debug("Could not send the close frame to " + this.uri, ex);
				}
			}
		}
		finally {
			this.sendLock.unlock();
		}
		if (alreadyEnded) {
			return;
		}
		if (awaitCloseReply(session)) {
			CloseStatus reported = this.reportedStatus;
			CloseStatus ended = (reported != null) ? reported : status;
			this.buffer.end(new ConnectionClosedException(ended.getCode(), reason(ended), !this.transportError));
		}
		else {
			logger.debug("No close frame from " + this.uri + " within " + this.closeTimeout.toMillis()
					+ " ms: ending the connection");
			TomcatSupport.abort(session);
			this.buffer.end(new ConnectionClosedException(CloseStatus.NO_CLOSE_FRAME.getCode(),
					"No close frame within " + this.closeTimeout.toMillis() + " ms", false));
		}
	}

	private boolean awaitCloseReply(WebSocketSession session) {
		try {
			if (TomcatSupport.isTomcat(session)) {
				return TomcatSupport.awaitClosed(session, this.closeTimeout);
			}
			return this.transportClosed.await(this.closeTimeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/** End the connection from this side, on the reading thread: a refused message. */
	private void fail(int code, String reason) {
		WebSocketSession session = this.session;
		this.buffer.end(new ConnectionClosedException(code, reason, false));
		if (session == null) {
			return;
		}
		// Wait for a send in progress, but not forever (a sender blocked by a peer that no
		// longer reads must not hold this thread).
		boolean locked = false;
		try {
			locked = this.sendLock.tryLock(this.closeTimeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		try {
			session.close(new CloseStatus(code, reason));
		}
		catch (IOException | RuntimeException ex) {
			logger.debug("Could not send the close frame to " + this.uri, ex);
		}
		finally {
			if (locked) {
				this.sendLock.unlock();
			}
		}
	}

	private static String reason(CloseStatus status) {
		return (status.getReason() != null) ? status.getReason() : "";
	}

	private void transportClosed(CloseStatus status) {
		if (this.listener != null) {
			// First, so that a reader seeing the end also sees what the listener decided.
			this.listener.ended(this, status);
		}
		if (this.reportedStatus == null) {
			this.reportedStatus = status;
		}
		if (!this.buffer.isClosing()) {
			// Containers report an end without a close frame as 1006; any other code came
			// in a close frame, even if the socket then failed before the close handshake ended.
			boolean closeFrameReceived = status.getCode() != CloseStatus.NO_CLOSE_FRAME.getCode();
			this.buffer.end(new ConnectionClosedException(status.getCode(), reason(status), closeFrameReceived));
		}
		this.transportClosed.countDown();
	}

	// ---------------------------------------------------------------- state

	@Override
	public WebSocketSession getSession() {
		return session();
	}

	@Override
	public boolean isOpen() {
		WebSocketSession session = this.session;
		return !isCloseStarted() && !isClosed() && session != null && session.isOpen();
	}

	@Override
	public boolean isClosed() {
		return this.buffer.getEnd() != null;
	}

	@Override
	ReceiveCounts receiveCounts() {
		return this.buffer.counts();
	}

	@Override
	public String toString() {
		return "TransportConnection[" + this.uri + "]";
	}

	/**
	 * What a {@link ReliableConnection} sees of one of its transport connections, called
	 * on the container's reading thread.
	 */
	interface Listener {

		/**
		 * A whole message arrived; the listener {@link #offer offers} what the consumer
		 * should see.
		 */
		void received(TransportConnection from, WebSocketMessage<?> message, long bytes);

		/** The transport connection ended; called before {@code receive()} can see it. */
		void ended(TransportConnection transport, CloseStatus status);

	}

	/** The container's handler: fragments to the assembler, whole messages to the buffer or the listener. */
	private final class Receiver implements WebSocketHandler, MessageAssembler.Listener {

		@Override
		public void afterConnectionEstablished(WebSocketSession session) {
			TransportConnection.this.session = session;
			closeAbandoned(session);
		}

		@Override
		public void handleMessage(WebSocketSession session, WebSocketMessage<?> message) {
			TransportConnection.this.assembler.fragment(message);
		}

		@Override
		public void assembled(WebSocketMessage<?> message, long bytes) {
			Listener listener = TransportConnection.this.listener;
			if (listener != null) {
				listener.received(TransportConnection.this, message, bytes);
			}
			else if (TransportConnection.this.buffer.offer(message, bytes, 0) == ReceiveBuffer.Offer.OVERFLOW) {
				ConnectionSettings settings = TransportConnection.this.settings;
				fail(CloseStatus.TOO_BIG_TO_PROCESS.getCode(), "Receive buffer full (" + settings.maxBufferedMessages()
						+ " messages, " + settings.maxBufferedBytes() + " bytes)");
			}
		}

		@Override
		public void tooBig(long maxBytes) {
			fail(CloseStatus.TOO_BIG_TO_PROCESS.getCode(), "Message larger than " + maxBytes + " bytes");
		}

		@Override
		public void handleTransportError(WebSocketSession session, Throwable exception) {
			logger.debug("Transport error on " + TransportConnection.this.uri, exception);
			TransportConnection.this.transportError = true;
		}

		@Override
		public void afterConnectionClosed(WebSocketSession session, CloseStatus closeStatus) {
			transportClosed(closeStatus);
		}

		@Override
		public boolean supportsPartialMessages() {
			return true;
		}

	}

}

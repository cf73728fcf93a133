package io.github.wsdrain.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * One transport connection: the container's session and a bounded buffer of what it
 * received. The guarantees are documented on {@link BufferedWebSocketConnection}; a
 * {@link Listener} lets a {@link ResumingConnection} see the protocol frames and the end
 * of each of its connections.
 */
final class TransportConnection implements BufferedWebSocketConnection {

	private static final Log logger = LogFactory.getLog(TransportConnection.class);

	private static final int RETAINED_ASSEMBLY_CAPACITY = 64 * 1024;

	private final URI uri;

	private final Duration receiveTimeout;

	private final Duration closeTimeout;

	private final int maxMessages;

	private final long maxBytes;

	private final OverflowPolicy overflowPolicy;

	private final Receiver receiver = new Receiver();

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition notEmpty = this.lock.newCondition();

	private final Condition notFull = this.lock.newCondition();

	private final ArrayDeque<Buffered> buffer = new ArrayDeque<>();

	private long bufferedBytes;

	private int peakBufferedMessages;

	private long peakBufferedBytes;

	private long droppedMessages;

	private long receivedMessages;

	private boolean closing;

	/**
	 * Whether connect() has returned this connection (guarded by the lock).
	 */
	private boolean handedOver;

	private @Nullable CloseStatus reportedStatus;

	private @Nullable Ended ended;

	private volatile boolean transportError;

	private final CountDownLatch transportClosed = new CountDownLatch(1);

	private final AtomicBoolean closeStarted = new AtomicBoolean();

	private final CountDownLatch closeDone = new CountDownLatch(1);

	private final ReentrantLock sendLock = new ReentrantLock(true);

	private volatile @Nullable WebSocketSession session;

	private volatile boolean abandoned;

	private final @Nullable Listener listener;

	TransportConnection(URI uri, Duration receiveTimeout, Duration closeTimeout, int maxMessages, long maxBytes,
			OverflowPolicy overflowPolicy, @Nullable Listener listener) {
		this.uri = uri;
		this.listener = listener;
		this.receiveTimeout = receiveTimeout;
		this.closeTimeout = closeTimeout;
		this.maxMessages = maxMessages;
		this.maxBytes = maxBytes;
		this.overflowPolicy = overflowPolicy;
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
		this.lock.lock();
		try {
			this.handedOver = true;
		}
		finally {
			this.lock.unlock();
		}
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
	public WebSocketMessage<?> receive() throws InterruptedException {
		return receive(this.receiveTimeout);
	}

	@Override
	public WebSocketMessage<?> receive(Duration timeout) throws InterruptedException {
		Assert.notNull(timeout, "Timeout must not be null");
		long nanos = timeout.toNanos();
		this.lock.lockInterruptibly();
		try {
			while (this.buffer.isEmpty()) {
				if (this.ended != null) {
					throw this.ended.exception();
				}
				if (nanos <= 0) {
					throw new ReceiveTimeoutException(timeout);
				}
				nanos = this.notEmpty.awaitNanos(nanos);
			}
			Buffered next = this.buffer.pollFirst();
			this.bufferedBytes -= next.bytes();
			this.notFull.signal();
			return next.message();
		}
		finally {
			this.lock.unlock();
		}
	}

	// ---------------------------------------------------------------- sending

	@Override
	public void send(WebSocketMessage<?> message) {
		Assert.notNull(message, "Message must not be null");
		if (this.closeStarted.get()) {
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
		this.lock.lock();
		try {
			if (this.ended != null) {
				return this.ended.exception();
			}
		}
		finally {
			this.lock.unlock();
		}
		return new IllegalStateException("WebSocket connection to " + this.uri + " is closing");
	}

	private WebSocketSession session() {
		WebSocketSession session = this.session;
		Assert.state(session != null, "Not connected");
		return session;
	}

	// ---------------------------------------------------------------- closing

	@Override
	public void close(CloseStatus status) {
		Assert.notNull(status, "CloseStatus must not be null");
		if (!this.closeStarted.compareAndSet(false, true)) {
			awaitCloseDone();
			return;
		}
		try {
			doClose(status);
		}
		finally {
			this.closeDone.countDown();
		}
	}

	private void doClose(CloseStatus status) {
		WebSocketSession session = this.session;
		boolean alreadyEnded;
		this.sendLock.lock();
		try {
			this.lock.lock();
			try {
				this.closing = true;
				alreadyEnded = (this.ended != null || session == null);
				// A reader blocked on a full buffer must go on reading to see the peer's close reply.
				this.notFull.signalAll();
			}
			finally {
				this.lock.unlock();
			}
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
		boolean replied = awaitCloseReply(session);
		if (!replied) {
			logger.debug("No close frame from " + this.uri + " within " + this.closeTimeout.toMillis()
					+ " ms: ending the connection");
			TomcatSupport.abort(session);
		}
		this.lock.lock();
		try {
			if (this.ended == null) {
				if (replied) {
					CloseStatus reported = (this.reportedStatus != null) ? this.reportedStatus : status;
					end(new Ended(reported.getCode(), reason(reported), !this.transportError));
				}
				else {
					end(new Ended(CloseStatus.NO_CLOSE_FRAME.getCode(),
							"No close frame within " + this.closeTimeout.toMillis() + " ms", false));
				}
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	private boolean awaitCloseReply(WebSocketSession session) {
		long deadline = System.nanoTime() + this.closeTimeout.toNanos();
		try {
			if (TomcatSupport.isTomcat(session)) {
				// Tomcat reports a local close at once and has no callback for the reply.
				while (!TomcatSupport.isClosed(session)) {
					long remaining = deadline - System.nanoTime();
					if (remaining <= 0) {
						return false;
					}
					LockSupport.parkNanos(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(2)));
					if (Thread.interrupted()) {
						throw new InterruptedException();
					}
				}
				return true;
			}
			return this.transportClosed.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
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

	/**
	 * Call with the lock held.
	 */
	private void end(Ended ended) {
		if (this.ended == null) {
			this.ended = ended;
			this.notEmpty.signalAll();
			this.notFull.signalAll();
		}
	}

	private void fail(int code, String reason) {
		WebSocketSession session = this.session;
		this.lock.lock();
		try {
			end(new Ended(code, reason, false));
		}
		finally {
			this.lock.unlock();
		}
		if (session == null) {
			return;
		}
		// On the reading thread: wait for a send in progress, but not forever (a sender
		// blocked by a peer that no longer reads must not hold this thread).
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

	// ---------------------------------------------------------------- state

	@Override
	public URI getUri() {
		return this.uri;
	}

	@Override
	public WebSocketSession getSession() {
		return session();
	}

	@Override
	public boolean isOpen() {
		WebSocketSession session = this.session;
		return !this.closeStarted.get() && !isClosed() && session != null && session.isOpen();
	}

	@Override
	public boolean isClosed() {
		this.lock.lock();
		try {
			return this.ended != null;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public int getBufferedMessages() {
		this.lock.lock();
		try {
			return this.buffer.size();
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public long getBufferedBytes() {
		this.lock.lock();
		try {
			return this.bufferedBytes;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public int getPeakBufferedMessages() {
		this.lock.lock();
		try {
			return this.peakBufferedMessages;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public long getPeakBufferedBytes() {
		this.lock.lock();
		try {
			return this.peakBufferedBytes;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public long getReceivedMessages() {
		this.lock.lock();
		try {
			return this.receivedMessages;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public long getDroppedMessages() {
		this.lock.lock();
		try {
			return this.droppedMessages;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public String toString() {
		return "TransportConnection[" + this.uri + "]";
	}

	// ---------------------------------------------------------------- transport side

	private void offer(WebSocketMessage<?> message, long bytes) {
		if (this.listener != null && !this.listener.admit(this, message)) {
			return;
		}
		boolean overflowFailure = false;
		boolean overBound = false;
		this.lock.lock();
		try {
			this.receivedMessages++;
			if (this.ended != null) {
				this.droppedMessages++;
				return;
			}
			while (this.buffer.size() >= this.maxMessages || this.bufferedBytes + bytes > this.maxBytes) {
				switch (this.overflowPolicy) {
					case BLOCK -> {
						if (this.closing || this.ended != null) {
							this.droppedMessages++;
							return;
						}
						if (!this.handedOver) {
							// The container may be delivering on the thread that completes the
							// handshake: holding it would stall connect(). Accept beyond the bound.
							overBound = true;
							break;
						}
						try {
							// Holding the container's reading thread stops reading: TCP pushes back.
							this.notFull.await();
						}
						catch (InterruptedException ex) {
							Thread.currentThread().interrupt();
							this.droppedMessages++;
							return;
						}
					}
					case DROP_OLDEST -> {
						Buffered oldest = this.buffer.pollFirst();
						this.bufferedBytes -= oldest.bytes();
						this.droppedMessages++;
					}
					case DROP_NEWEST -> {
						this.droppedMessages++;
						return;
					}
					case FAIL -> {
						this.droppedMessages++;
						overflowFailure = true;
					}
				}
				if (overflowFailure || overBound) {
					break;
				}
			}
			if (this.ended != null) {
				// Ended while this thread waited for room: the message is too late to be received.
				this.droppedMessages++;
				return;
			}
			if (!overflowFailure) {
				if (this.listener != null) {
					// Before a reader can take it: what the reader acknowledges must count as buffered.
					this.listener.buffered();
				}
				this.buffer.addLast(new Buffered(message, bytes));
				this.bufferedBytes += bytes;
				this.peakBufferedMessages = Math.max(this.peakBufferedMessages, this.buffer.size());
				this.peakBufferedBytes = Math.max(this.peakBufferedBytes, this.bufferedBytes);
				this.notEmpty.signal();
			}
		}
		finally {
			this.lock.unlock();
		}
		if (overflowFailure) {
			fail(CloseStatus.TOO_BIG_TO_PROCESS.getCode(), "Receive buffer full (" + this.maxMessages
					+ " messages, " + this.maxBytes + " bytes)");
		}
	}

	private void transportClosed(CloseStatus status) {
		if (this.listener != null) {
			// First, so that a reader seeing the end also sees what the listener decided.
			this.listener.ended(this, status);
		}
		this.lock.lock();
		try {
			if (this.reportedStatus == null) {
				this.reportedStatus = status;
			}
			if (!this.closing) {
				// Containers report an end without a close frame as 1006; any other code came
				// in a close frame, even if the socket then failed before the close handshake ended.
				boolean closeFrameReceived = status.getCode() != CloseStatus.NO_CLOSE_FRAME.getCode();
				end(new Ended(status.getCode(), reason(status), closeFrameReceived));
			}
		}
		finally {
			this.lock.unlock();
		}
		this.transportClosed.countDown();
	}

	private static long utf8Length(String text) {
		long length = 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < 0x80) {
				length += 1;
			}
			else if (c < 0x800 || Character.isSurrogate(c)) {
				length += 2; // a surrogate pair is 4 bytes
			}
			else {
				length += 3;
			}
		}
		return length;
	}

	private record Buffered(WebSocketMessage<?> message, long bytes) {
	}

	/**
	 * What a {@link ResumingConnection} sees of one of its transport connections, called
	 * on the container's reading thread.
	 */
	interface Listener {

		/**
		 * Return whether to buffer a received message: {@code false} for protocol frames
		 * and duplicates.
		 */
		boolean admit(TransportConnection from, WebSocketMessage<?> message);

		/**
		 * The message last admitted goes into the buffer (it may instead be dropped, late);
		 * called with the buffer's lock held, before any reader can take it.
		 */
		void buffered();

		/** The transport connection ended; called before {@code receive()} can see it. */
		void ended(TransportConnection transport, CloseStatus status);

	}

	private record Ended(int code, String reason, boolean closeFrameReceived) {

		ConnectionClosedException exception() {
			return new ConnectionClosedException(this.code, this.reason, this.closeFrameReceived);
		}

	}

	/**
	 * Receives from the container's reading thread, one call at a time.
	 */
	private final class Receiver implements WebSocketHandler {

		private final StringBuilder text = new StringBuilder();

		private long textBytes;

		private byte[] binary = new byte[0];

		private int binaryLength;

		@Override
		public void afterConnectionEstablished(WebSocketSession session) {
			TransportConnection.this.session = session;
			closeAbandoned(session);
		}

		@Override
		public void handleMessage(WebSocketSession session, WebSocketMessage<?> message) {
			if (message instanceof TextMessage textMessage) {
				handleText(textMessage);
			}
			else if (message instanceof BinaryMessage binaryMessage) {
				handleBinary(binaryMessage);
			}
		}

		private void handleText(TextMessage message) {
			String payload = message.getPayload();
			long bytes = utf8Length(payload);
			if (this.text.length() == 0 && message.isLast()) {
				if (fits(bytes)) {
					offer(new TextMessage(payload), bytes);
				}
				return;
			}
			this.text.append(payload);
			this.textBytes += bytes;
			if (!fits(this.textBytes)) {
				resetText();
				return;
			}
			if (message.isLast()) {
				String whole = this.text.toString();
				long wholeBytes = this.textBytes;
				resetText();
				offer(new TextMessage(whole), wholeBytes);
			}
		}

		private void handleBinary(BinaryMessage message) {
			ByteBuffer payload = message.getPayload();
			int length = payload.remaining();
			if (!fits((long) this.binaryLength + length)) {
				resetBinary();
				return;
			}
			if (this.binary.length < this.binaryLength + length) {
				int capacity = Math.max(this.binaryLength + length, this.binary.length * 2);
				this.binary = Arrays.copyOf(this.binary, (int) Math.min(capacity, TransportConnection.this.maxBytes));
			}
			// The container may reuse its buffer once this call returns: copy now.
			payload.duplicate().get(this.binary, this.binaryLength, length);
			this.binaryLength += length;
			if (message.isLast()) {
				byte[] whole = Arrays.copyOf(this.binary, this.binaryLength);
				resetBinary();
				offer(new BinaryMessage(whole), whole.length);
			}
		}

		private boolean fits(long messageBytes) {
			if (messageBytes <= TransportConnection.this.maxBytes) {
				return true;
			}
			fail(CloseStatus.TOO_BIG_TO_PROCESS.getCode(),
					"Message larger than " + TransportConnection.this.maxBytes + " bytes");
			return false;
		}

		private void resetText() {
			this.textBytes = 0;
			if (this.text.capacity() > RETAINED_ASSEMBLY_CAPACITY) {
				this.text.setLength(0);
				this.text.trimToSize();
			}
			else {
				this.text.setLength(0);
			}
		}

		private void resetBinary() {
			this.binaryLength = 0;
			if (this.binary.length > RETAINED_ASSEMBLY_CAPACITY) {
				this.binary = new byte[0];
			}
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

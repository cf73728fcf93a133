package io.github.wsdrain.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

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
 * One WebSocket connection opened by a {@link BufferedWebSocketClient}, read by pulling.
 * <p>
 * <b>Guarantee:</b> every message the transport delivered before the connection ended
 * (close frame, end of stream without close frame, reset, or a close by this side) is
 * returned by {@link #receive()} in arrival order; only when none is left does
 * {@code receive()} throw a {@link ConnectionClosedException} with the close code, the
 * reason and whether a close frame was received (an end without close frame reports
 * 1006). The only exceptions are the drops that an {@link OverflowPolicy} other than
 * {@code BLOCK} asks for, which {@link #getDroppedMessages()} counts.
 * <p>
 * Messages are returned whole: fragments are assembled here (the connection's handler
 * {@link WebSocketHandler#supportsPartialMessages() supports partial messages}, so the
 * container's own message size limit does not apply). A message larger than the buffer's
 * byte bound closes the connection with 1009. Pong messages are not buffered.
 * <p>
 * {@code receive} may be called from one or several threads; {@code send} methods are
 * safe from several threads and keep each thread's order; {@link #close()} waits for
 * sends in progress, sends the close frame and waits for the peer's reply up to the close
 * timeout.
 * <p>
 * With {@link OverflowPolicy#BLOCK} the buffer stays within its bounds once the opening
 * handshake has completed. Messages that the container reads together with the handshake
 * response are delivered on the thread that completes the handshake (Tomcat and Jetty
 * both do this), which must not be held: those few are accepted beyond the bound (the
 * peak gauges show it).
 * <p>
 * Close connections when done: with {@link OverflowPolicy#BLOCK}, a full buffer nobody
 * reads holds one of the container's reading threads until {@link #close()}.
 */
public final class BufferedWebSocketConnection implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(BufferedWebSocketConnection.class);

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

	BufferedWebSocketConnection(URI uri, Duration receiveTimeout, Duration closeTimeout, int maxMessages,
			long maxBytes, OverflowPolicy overflowPolicy) {
		this.uri = uri;
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

	/**
	 * Return the next message, waiting up to the client's receive timeout.
	 * @return the next whole message, a {@link TextMessage} or a {@link BinaryMessage}
	 * @throws ConnectionClosedException if the connection has ended and every message
	 * received before has been returned
	 * @throws ReceiveTimeoutException if no message arrived in time; the connection stays
	 * usable
	 * @throws InterruptedException if interrupted while waiting
	 */
	public WebSocketMessage<?> receive() throws InterruptedException {
		return receive(this.receiveTimeout);
	}

	/**
	 * Return the next message, waiting up to the given timeout.
	 * @param timeout how long to wait; zero or negative only returns a message already
	 * buffered
	 * @return the next whole message, a {@link TextMessage} or a {@link BinaryMessage}
	 * @throws ConnectionClosedException if the connection has ended and every message
	 * received before has been returned
	 * @throws ReceiveTimeoutException if no message arrived in time; the connection stays
	 * usable
	 * @throws InterruptedException if interrupted while waiting
	 */
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

	/**
	 * Return the messages as a sequential stream, each one waited for up to the client's
	 * receive timeout. The stream ends normally when the connection closed cleanly (a
	 * close frame with 1000 or 1001 was received, see
	 * {@link ConnectionClosedException#isNormalClosure()}), after every buffered message.
	 * Otherwise it throws the {@link ConnectionClosedException} (for example 1006 after
	 * an end without close frame), or a {@link ReceiveTimeoutException}, or a
	 * {@link CancellationException} if the thread is interrupted (its interrupt status is
	 * kept).
	 * @return the stream of messages in arrival order
	 */
	public Stream<WebSocketMessage<?>> messages() {
		Spliterator<WebSocketMessage<?>> spliterator = new Spliterators.AbstractSpliterator<>(Long.MAX_VALUE,
				Spliterator.ORDERED | Spliterator.NONNULL) {

			private boolean done;

			@Override
			public boolean tryAdvance(Consumer<? super WebSocketMessage<?>> action) {
				if (this.done) {
					return false;
				}
				WebSocketMessage<?> message;
				try {
					message = receive();
				}
				catch (ConnectionClosedException ex) {
					if (ex.isNormalClosure()) {
						this.done = true;
						return false;
					}
					throw ex;
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					CancellationException cancelled = new CancellationException(
							"Interrupted while receiving from " + BufferedWebSocketConnection.this.uri);
					cancelled.initCause(ex);
					throw cancelled;
				}
				action.accept(message);
				return true;
			}

		};
		return StreamSupport.stream(spliterator, false);
	}

	// ---------------------------------------------------------------- sending

	/**
	 * Send a message. Safe to call from several threads: messages are written one at a
	 * time, and each thread's messages keep their order. Returns once the container has
	 * written the message.
	 * @param message the message to send
	 * @throws ConnectionClosedException if the connection has ended
	 * @throws IllegalStateException if {@link #close()} has been called
	 * @throws UncheckedIOException if the container cannot write the message
	 */
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

	/**
	 * Send a text message, see {@link #send(WebSocketMessage)}.
	 * @param text the text to send
	 */
	public void sendText(CharSequence text) {
		Assert.notNull(text, "Text must not be null");
		send(new TextMessage(text));
	}

	/**
	 * Send a binary message, see {@link #send(WebSocketMessage)}.
	 * @param payload the bytes to send
	 */
	public void sendBinary(byte[] payload) {
		Assert.notNull(payload, "Payload must not be null");
		send(new BinaryMessage(payload));
	}

	/**
	 * Send a binary message, see {@link #send(WebSocketMessage)}.
	 * @param payload the bytes to send, from position to limit
	 */
	public void sendBinary(ByteBuffer payload) {
		Assert.notNull(payload, "Payload must not be null");
		send(new BinaryMessage(payload));
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

	/**
	 * Close normally (1000), see {@link #close(CloseStatus)}.
	 */
	@Override
	public void close() {
		close(CloseStatus.NORMAL);
	}

	/**
	 * Close the connection: wait for sends in progress (later sends fail), send the close
	 * frame, wait for the peer's close frame up to the close timeout, then end the
	 * connection (with Tomcat's client the socket is closed even if the peer never
	 * answered). Messages still buffered stay receivable; {@link #receive()} then throws a
	 * {@link ConnectionClosedException}: this close code and {@code closeFrameReceived}
	 * if the peer answered, 1006 if it did not. Calling it again, or after the peer
	 * closed, does nothing more.
	 * @param status the close code and reason to send
	 */
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

	/**
	 * Return the URI this connection was opened to.
	 * @return the URI
	 */
	public URI getUri() {
		return this.uri;
	}

	/**
	 * Return the underlying Spring session, for its attributes, headers or sub-protocol.
	 * Sending or closing through it bypasses this connection's ordering.
	 * @return the session
	 */
	public WebSocketSession getSession() {
		return session();
	}

	/**
	 * Return whether messages can be sent: neither side has closed.
	 * @return whether the connection is open
	 */
	public boolean isOpen() {
		WebSocketSession session = this.session;
		return !this.closeStarted.get() && !isClosed() && session != null && session.isOpen();
	}

	/**
	 * Return whether the connection has ended for good. Buffered messages may remain
	 * to be received.
	 * @return whether the connection has ended
	 */
	public boolean isClosed() {
		this.lock.lock();
		try {
			return this.ended != null;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Return the number of messages waiting to be received.
	 * @return the buffered message count
	 */
	public int getBufferedMessages() {
		this.lock.lock();
		try {
			return this.buffer.size();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Return the size of the messages waiting to be received (text counted in UTF-8).
	 * @return the buffered bytes
	 */
	public long getBufferedBytes() {
		this.lock.lock();
		try {
			return this.bufferedBytes;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Return the most messages ever buffered at once on this connection.
	 * @return the peak buffered message count
	 */
	public int getPeakBufferedMessages() {
		this.lock.lock();
		try {
			return this.peakBufferedMessages;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Return the most bytes ever buffered at once on this connection.
	 * @return the peak buffered bytes
	 */
	public long getPeakBufferedBytes() {
		this.lock.lock();
		try {
			return this.peakBufferedBytes;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Return the number of whole messages received from the transport, dropped ones
	 * included.
	 * @return the received message count
	 */
	public long getReceivedMessages() {
		this.lock.lock();
		try {
			return this.receivedMessages;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Return the number of received messages discarded: by the overflow policy, or
	 * arriving after the connection ended (after a {@code FAIL} overflow, or while this
	 * side closes with a full buffer).
	 * @return the dropped message count
	 */
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
		return "BufferedWebSocketConnection[" + this.uri + "]";
	}

	// ---------------------------------------------------------------- transport side

	private void offer(WebSocketMessage<?> message, long bytes) {
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
			if (!overflowFailure) {
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
			BufferedWebSocketConnection.this.session = session;
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
				this.binary = Arrays.copyOf(this.binary, (int) Math.min(capacity, BufferedWebSocketConnection.this.maxBytes));
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
			if (messageBytes <= BufferedWebSocketConnection.this.maxBytes) {
				return true;
			}
			fail(CloseStatus.TOO_BIG_TO_PROCESS.getCode(),
					"Message larger than " + BufferedWebSocketConnection.this.maxBytes + " bytes");
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
			logger.debug("Transport error on " + BufferedWebSocketConnection.this.uri, exception);
			BufferedWebSocketConnection.this.transportError = true;
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

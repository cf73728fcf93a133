package io.github.wsdrain.session;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;

/**
 * A {@link WebSocketSession} that is safe to send to from any number of threads and
 * that never discards on close: every message accepted by {@link #sendMessage} is
 * written, in order, before the close frame, unless the drain timeout or the end of the
 * connection prevents it, in which case the loss is counted, logged and reported.
 * <p>
 * Sends are queued in a bounded buffer; whichever sending thread finds the session idle
 * writes the queue out, as Spring's {@code ConcurrentWebSocketSessionDecorator} does, so
 * a single sender pays no thread hand-off. {@link #close(CloseStatus)} returns at once:
 * the drain and the close frame run on a separate executor because the caller may be a
 * container thread and the peer may be slow.
 * <p>
 * It extends {@link ConcurrentWebSocketSessionDecorator} only to be accepted where Spring
 * requires one (STOMP with {@code preservePublishOrder}); none of that class's buffering
 * is used.
 */
public class DrainingWebSocketSession extends ConcurrentWebSocketSessionDecorator {

	private static final Log logger = LogFactory.getLog(DrainingWebSocketSession.class);

	private static final int MAX_BATCH_MESSAGES = 32;

	private static final int MAX_BATCH_BYTES = 64 * 1024;

	private final DrainSettings settings;

	private final Executor drainExecutor;

	private final ScheduledExecutorService timer;

	private final DrainingSessionListener listener;

	private final SendTotals totals;

	private final long createdNanos = System.nanoTime();

	/** Guards the queue, its byte count and the state transitions. */
	private final ReentrantLock queueLock = new ReentrantLock();

	private final Condition roomAvailable = this.queueLock.newCondition();

	private final ArrayDeque<WebSocketMessage<?>> queue = new ArrayDeque<>();

	private long queuedBytes;

	private volatile int queuedMessages;

	/** Messages the writer took off the queue and has not started to write. */
	private final AtomicInteger batchRemaining = new AtomicInteger();

	/** The writer's batch, only touched under the flush lock. */
	private WebSocketMessage<?> @Nullable [] batch;

	/** Held by the one thread that writes to the container at a time. */
	private final ReentrantLock flushLock = new ReentrantLock();

	private volatile State state = State.OPEN;

	private volatile long acceptedMessages;

	private volatile long writeStartedNanos;

	private volatile long sentMessages;

	private volatile long sentBytes;

	private final AtomicLong droppedMessages = new AtomicLong();

	private @Nullable CloseStatus requestedStatus;

	private long closeRequestedNanos;

	private long sentAtCloseRequest;

	private long droppedAtCloseRequest;

	private final AtomicBoolean closeFrameSent = new AtomicBoolean();

	private final AtomicBoolean completed = new AtomicBoolean();

	private volatile boolean drainTimedOut;

	private final CompletableFuture<CloseResult> closeFuture = new CompletableFuture<>();

	private final CompletableFuture<CloseStatus> connectionEnd = new CompletableFuture<>();

	private volatile @Nullable Consumer<WebSocketMessage<?>> acceptedCallback;

	/** Whether what this connection fails to send is kept elsewhere, for a replay. */
	private volatile boolean replayable;

	private final CloseBarrier closeBarrier;

	/** What the first close request waits for while the session still accepts messages. */
	private volatile @Nullable Supplier<CompletableFuture<?>> closeDelay;

	private final AtomicBoolean closeDelayed = new AtomicBoolean();

	public DrainingWebSocketSession(WebSocketSession delegate, DrainSettings settings, Executor drainExecutor,
			ScheduledExecutorService timer, DrainingSessionListener listener, SendTotals totals) {
		super(delegate, saturatedInt(settings.sendTimeLimit().toMillis()), saturatedInt(settings.sendBufferSize().toBytes()));
		this.settings = settings;
		this.drainExecutor = drainExecutor;
		this.timer = timer;
		this.listener = listener;
		this.totals = totals;
		this.closeBarrier = new CloseBarrier(settings.closeBarrierTimeout(), timer, drainExecutor);
	}

	/**
	 * Queue the message and, unless another thread is already writing, write the queue
	 * out. Messages from one thread leave in the order of the calls.
	 * @param message the message to send
	 * @throws SessionClosingException if the session is closing or closed: the message
	 * was not accepted
	 * @throws SendBufferFullException if the message did not fit in the send buffer
	 * (see {@link OverflowPolicy})
	 * @throws IOException if the container failed to write a queued message
	 */
	@Override
	public void sendMessage(WebSocketMessage<?> message) throws IOException {
		enqueue(message);
		Consumer<WebSocketMessage<?>> callback = this.acceptedCallback;
		if (callback != null) {
			callback.accept(message);
		}
		flush();
	}

	/**
	 * Set a callback invoked with each message once it is accepted, before it is written:
	 * STOMP uses it to release the next message when publish order is preserved.
	 */
	@Override
	public void setMessageCallback(Consumer<WebSocketMessage<?>> callback) {
		this.acceptedCallback = callback;
	}

	@Override
	public int getBufferSize() {
		return saturatedInt(getQueuedBytes());
	}

	@Override
	public long getTimeSinceSendStarted() {
		long started = this.writeStartedNanos;
		return (started != 0) ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) : 0;
	}

	/**
	 * Request a normal close: equivalent to {@code close(CloseStatus.NORMAL)}.
	 */
	@Override
	public void close() {
		closeAsync(CloseStatus.NORMAL);
	}

	/**
	 * Stop accepting messages, flush the queue, then send the close frame. Returns at
	 * once; use {@link #closeAsync(CloseStatus)} to learn the outcome.
	 * @param status the close status to send
	 */
	@Override
	public void close(CloseStatus status) {
		closeAsync(status);
	}

	/**
	 * Stop accepting messages, flush the queue within the drain timeout, then send the
	 * close frame. Only the first close request chooses the status; later ones return the
	 * same future.
	 * @param status the close status to send
	 * @return a future completed once the close frame is sent or the connection has ended
	 */
	public CompletableFuture<CloseResult> closeAsync(CloseStatus status) {
		Supplier<CompletableFuture<?>> delay = this.closeDelay;
		if (delay != null && this.state == State.OPEN && this.closeDelayed.compareAndSet(false, true)) {
			delay.get()
				.orTimeout(this.settings.drainTimeout().toNanos(), TimeUnit.NANOSECONDS)
				.whenCompleteAsync((done, ex) -> closeAsync(status), this.drainExecutor);
			return this.closeFuture;
		}
		if (beginClosing(status)) {
			this.drainExecutor.execute(this::drainAndClose);
		}
		return this.closeFuture;
	}

	/**
	 * Make the first close request wait, at most the drain timeout, until the given
	 * future completes, while the session still accepts messages: STOMP waits so for the
	 * messages Spring's outbound channel holds for the session. A later close request
	 * does not wait.
	 * @param delay supplies, at the close request, the future to wait for
	 */
	public void setCloseDelay(Supplier<CompletableFuture<?>> delay) {
		this.closeDelay = delay;
	}

	/**
	 * Return a future completed when the session has closed, whoever closed it.
	 * @return the close future
	 */
	public CompletableFuture<CloseResult> getCloseFuture() {
		return this.closeFuture;
	}

	/**
	 * Return a future completed when the container reports the end of the connection:
	 * after the peer's close reply, or when the network or the container ended it. Later
	 * than {@link #getCloseFuture()} when this side closed first.
	 * @return the connection end future, completed with the status the container reported
	 */
	public CompletableFuture<CloseStatus> getConnectionEndFuture() {
		return this.connectionEnd;
	}

	/**
	 * Return {@code false} as soon as a close is requested, so that loops that check
	 * {@code isOpen()} stop producing.
	 */
	@Override
	public boolean isOpen() {
		return this.state == State.OPEN && super.isOpen();
	}

	/**
	 * Mark this connection as carrying a session that keeps every message until the peer
	 * acknowledges it ({@code wsdrain.v1}): what the connection fails to send is replayed
	 * on the next one, so it is not counted or reported as dropped, and a full queue makes
	 * senders wait even under {@code drop-oldest} (a dropped frame would be a gap).
	 */
	public void markReplayable() {
		this.replayable = true;
		this.closeBarrier.skip();
	}

	/**
	 * Return the close barrier: the Ping between the last message and the close frame.
	 * @return the close barrier
	 */
	public CloseBarrier getCloseBarrier() {
		return this.closeBarrier;
	}

	/**
	 * Return where this session is in its life.
	 * @return the state
	 */
	public State getState() {
		return this.state;
	}

	/**
	 * Return the number of messages waiting to be written.
	 * @return the queued message count
	 */
	public int getQueuedMessages() {
		return this.queuedMessages + this.batchRemaining.get();
	}

	/**
	 * Return the payload bytes waiting to be written.
	 * @return the queued byte count
	 */
	public long getQueuedBytes() {
		this.queueLock.lock();
		try {
			return this.queuedBytes;
		}
		finally {
			this.queueLock.unlock();
		}
	}

	/**
	 * Return the number of messages {@link #sendMessage} has accepted so far.
	 * @return the accepted message count
	 */
	public long getAcceptedMessages() {
		return this.acceptedMessages;
	}

	/**
	 * Return the number of messages handed to the container so far.
	 * @return the sent message count
	 */
	public long getSentMessages() {
		return this.sentMessages;
	}

	/**
	 * Return the payload bytes handed to the container so far.
	 * @return the sent byte count
	 */
	public long getSentBytes() {
		return this.sentBytes;
	}

	/**
	 * Return the number of accepted messages that were dropped instead of sent.
	 * @return the dropped message count
	 */
	public long getDroppedMessages() {
		return this.droppedMessages.get();
	}

	/**
	 * Return how long ago the session was opened.
	 * @return the session age
	 */
	public Duration getAge() {
		return Duration.ofNanos(System.nanoTime() - this.createdNanos);
	}

	/**
	 * Called by the draining handler when the container reports the end of
	 * the connection: whatever is still queued can no longer be sent.
	 * @param status the status the connection ended with
	 */
	public void connectionClosed(CloseStatus status) {
		this.connectionEnd.complete(status);
		this.closeBarrier.connectionEnded();
		long lost;
		CloseStatus reported = status;
		this.queueLock.lock();
		try {
			if (this.state == State.CLOSED) {
				return;
			}
			if (this.requestedStatus != null) {
				reported = this.requestedStatus;
			}
			else {
				this.requestedStatus = status;
				this.closeRequestedNanos = System.nanoTime();
				this.sentAtCloseRequest = this.sentMessages;
				this.droppedAtCloseRequest = this.droppedMessages.get();
			}
			this.state = State.CLOSED;
			lost = clearQueue();
			this.roomAvailable.signalAll();
		}
		finally {
			this.queueLock.unlock();
		}
		recordDropped(DropReason.CONNECTION_CLOSED, lost);
		this.closeFrameSent.set(true);
		complete(reported);
	}

	private void enqueue(WebSocketMessage<?> message) throws IOException {
		int size = message.getPayloadLength();
		long overflowDropped = 0;
		boolean terminate = false;
		this.queueLock.lock();
		try {
			ensureAccepting();
			if (!hasRoomFor(size)) {
				switch (this.settings.overflow()) {
					case BLOCK -> terminate = !awaitRoom(size);
					case TERMINATE -> terminate = true;
					case DROP_OLDEST -> {
						if (this.replayable) {
							terminate = !awaitRoom(size);
						}
						else {
							overflowDropped = dropOldestUntilRoom(size);
						}
					}
				}
			}
			if (!terminate) {
				this.queue.addLast(message);
				this.queuedBytes += size;
				this.queuedMessages++;
				this.acceptedMessages++;
			}
		}
		finally {
			this.queueLock.unlock();
		}
		if (terminate) {
			throw terminateOnOverflow(size);
		}
		recordDropped(DropReason.OVERFLOW, overflowDropped);
	}

	private void ensureAccepting() throws SessionClosingException {
		if (this.state != State.OPEN) {
			throw new SessionClosingException(getId(), "WebSocket session " + getId() + " is "
					+ this.state.name().toLowerCase(Locale.ROOT) + " (close requested with " + this.requestedStatus
					+ "): message not accepted");
		}
	}

	private boolean hasRoomFor(int size) {
		// A message larger than the whole buffer still goes out alone rather than never.
		return this.queuedBytes == 0 || this.queuedBytes + size <= this.settings.sendBufferSize().toBytes();
	}

	private boolean awaitRoom(int size) throws SessionClosingException {
		long nanos = this.settings.sendTimeLimit().toNanos();
		try {
			while (!hasRoomFor(size)) {
				if (nanos <= 0) {
					return false;
				}
				nanos = this.roomAvailable.awaitNanos(nanos);
				ensureAccepting();
			}
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new SessionClosingException(getId(),
					"Interrupted while waiting for room in the send buffer of WebSocket session " + getId());
		}
	}

	private long dropOldestUntilRoom(int size) {
		long dropped = 0;
		while (!hasRoomFor(size)) {
			WebSocketMessage<?> oldest = this.queue.pollFirst();
			this.queuedBytes -= oldest.getPayloadLength();
			this.queuedMessages--;
			dropped++;
		}
		return dropped;
	}

	private SendBufferFullException terminateOnOverflow(int size) {
		String reason = (this.settings.overflow() == OverflowPolicy.BLOCK)
				? "no room within the send time limit of " + this.settings.sendTimeLimit().toMillis() + " ms"
				: "send buffer full";
		String message = "WebSocket session " + getId() + ": message of " + size + " bytes refused, " + reason
				+ " (send-buffer-size " + this.settings.sendBufferSize().toBytes() + " bytes); closing with 1011";
		CloseStatus status = CloseStatus.SERVER_ERROR.withReason("Send buffer overflow");
		if (this.settings.overflow() == OverflowPolicy.TERMINATE) {
			terminate(status);
		}
		else {
			// BLOCK: everything accepted so far still goes out before the close frame.
			closeAsync(status);
		}
		return new SendBufferFullException(getId(), message);
	}

	private void terminate(CloseStatus status) {
		long dropped;
		this.queueLock.lock();
		try {
			if (this.state != State.OPEN) {
				return;
			}
			beginClosingLocked(status);
			dropped = clearQueue();
		}
		finally {
			this.queueLock.unlock();
		}
		recordDropped(DropReason.OVERFLOW, dropped);
		this.drainExecutor.execute(this::sendCloseFrame);
	}

	private void flush() throws IOException {
		while (this.queuedMessages > 0 && this.flushLock.tryLock()) {
			try {
				writeQueue();
			}
			finally {
				this.flushLock.unlock();
			}
		}
	}

	/** Write queued messages until the queue is empty; the caller holds the flush lock. */
	private void writeQueue() throws IOException {
		WebSocketMessage<?>[] batch = this.batch;
		if (batch == null) {
			batch = new WebSocketMessage<?>[MAX_BATCH_MESSAGES];
			this.batch = batch;
		}
		int count;
		while ((count = takeBatch(batch)) > 0) {
			for (int i = 0; i < count; i++) {
				WebSocketMessage<?> message = batch[i];
				batch[i] = null;
				if (!claimNext()) {
					// A drain timeout or the end of the connection took (and counted) the rest.
					Arrays.fill(batch, 0, count, null);
					return;
				}
				write(message, batch);
			}
		}
	}

	private void write(WebSocketMessage<?> message, WebSocketMessage<?>[] batch) throws IOException {
		this.writeStartedNanos = System.nanoTime();
		try {
			getDelegate().sendMessage(message);
		}
		catch (IOException | RuntimeException ex) {
			Arrays.fill(batch, null);
			recordDropped(DropReason.SEND_FAILED, 1 + this.batchRemaining.getAndSet(0));
			throw ex;
		}
		finally {
			this.writeStartedNanos = 0;
		}
		this.sentMessages++;
		this.sentBytes += message.getPayloadLength();
		this.totals.recordSent(message.getPayloadLength());
	}

	/**
	 * Move the head of the queue into the writer's batch under one lock acquisition, so
	 * that a sender preempted while holding the lock stalls the writer once per batch
	 * rather than once per message. The batch holds at most {@value #MAX_BATCH_MESSAGES}
	 * messages and {@value #MAX_BATCH_BYTES} bytes (or one larger message).
	 */
	private int takeBatch(WebSocketMessage<?>[] batch) {
		this.queueLock.lock();
		try {
			int count = 0;
			long bytes = 0;
			WebSocketMessage<?> next;
			while (count < batch.length && (next = this.queue.peekFirst()) != null
					&& (count == 0 || bytes + next.getPayloadLength() <= MAX_BATCH_BYTES)) {
				this.queue.pollFirst();
				batch[count++] = next;
				bytes += next.getPayloadLength();
			}
			this.queuedBytes -= bytes;
			this.queuedMessages -= count;
			this.batchRemaining.set(count);
			if (this.queueLock.hasWaiters(this.roomAvailable)) {
				this.roomAvailable.signalAll();
			}
			return count;
		}
		finally {
			this.queueLock.unlock();
		}
	}

	/** Claim the next message of the batch, unless {@link #clearQueue()} took the rest. */
	private boolean claimNext() {
		int remaining;
		do {
			remaining = this.batchRemaining.get();
			if (remaining <= 0) {
				return false;
			}
		}
		while (!this.batchRemaining.compareAndSet(remaining, remaining - 1));
		return true;
	}

	private boolean beginClosing(CloseStatus status) {
		this.queueLock.lock();
		try {
			if (this.state != State.OPEN) {
				return false;
			}
			beginClosingLocked(status);
			return true;
		}
		finally {
			this.queueLock.unlock();
		}
	}

	private void beginClosingLocked(CloseStatus status) {
		this.state = State.CLOSING;
		this.requestedStatus = status;
		this.closeRequestedNanos = System.nanoTime();
		this.sentAtCloseRequest = this.sentMessages;
		this.droppedAtCloseRequest = this.droppedMessages.get();
		// Senders waiting for room must not wait for a session that will not accept them.
		this.roomAvailable.signalAll();
	}

	private void drainAndClose() {
		long deadline = this.closeRequestedNanos + this.settings.drainTimeout().toNanos();
		// The lock holder may be stuck writing to a peer that does not read: the watchdog
		// ends the drain on time even then.
		ScheduledFuture<?> watchdog = this.timer.schedule(this::onDrainTimeout, deadline - System.nanoTime(),
				TimeUnit.NANOSECONDS);
		boolean locked = false;
		try {
			locked = this.flushLock.tryLock(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
			if (locked) {
				writeQueue();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (IOException | RuntimeException ex) {
			logger.debug("WebSocket session " + getId() + ": write failed while draining", ex);
		}
		finally {
			if (locked) {
				this.flushLock.unlock();
			}
			watchdog.cancel(false);
		}
		if (!locked) {
			onDrainTimeout();
		}
		else if (!this.drainTimedOut) {
			this.closeBarrier.pass(getDelegate(), deadline, this::sendCloseFrame);
		}
	}

	/**
	 * End the drain of a closing session now, as if its drain timeout had passed: what is
	 * still queued is dropped (and counted), and the close frame goes out. Does nothing
	 * unless the session is closing and its close frame is still to be sent.
	 */
	public void expireDrain() {
		onDrainTimeout();
	}

	private void onDrainTimeout() {
		long dropped;
		this.queueLock.lock();
		try {
			if (this.state != State.CLOSING || this.drainTimedOut || this.closeFrameSent.get()) {
				return;
			}
			this.drainTimedOut = true;
			dropped = clearQueue();
			if (CloseStatus.NORMAL.equalsCode(this.requestedStatus)) {
				// A 1000 would tell the peer that it has everything; it does not. Containers
				// also write any other code under a short time limit, which a stuck peer needs.
				this.requestedStatus = CloseStatus.SERVER_ERROR.withReason("Drain timed out");
			}
		}
		finally {
			this.queueLock.unlock();
		}
		recordDropped(DropReason.DRAIN_TIMEOUT, dropped);
		// The timer thread must not block on the container.
		this.drainExecutor.execute(this::sendCloseFrame);
	}

	private void sendCloseFrame() {
		if (!this.closeFrameSent.compareAndSet(false, true)) {
			return;
		}
		CloseStatus status = this.requestedStatus;
		if (this.drainTimedOut) {
			// The container may hold the close behind a write that never finishes: the drain
			// is over either way, so report it now.
			complete(status);
		}
		try {
			if (this.drainTimedOut) {
				ContainerConnections.closeStuckConnection(getDelegate(), status);
			}
			else {
				getDelegate().close(status);
			}
		}
		catch (IOException | RuntimeException ex) {
			logger.debug("WebSocket session " + getId() + ": failed to send close frame " + status, ex);
		}
		complete(status);
	}

	/** Drop what is queued and what the writer has taken but not started; caller holds the queue lock. */
	private long clearQueue() {
		long count = this.queue.size() + this.batchRemaining.getAndSet(0);
		this.queue.clear();
		this.queuedBytes = 0;
		this.queuedMessages = 0;
		return count;
	}

	private void recordDropped(DropReason reason, long count) {
		if (count > 0 && !this.replayable) {
			this.droppedMessages.addAndGet(count);
			this.listener.messagesDropped(this, reason, count);
		}
	}

	private void complete(CloseStatus status) {
		if (!this.completed.compareAndSet(false, true)) {
			return;
		}
		CloseResult result = new CloseResult(getId(), status, this.sentMessages - this.sentAtCloseRequest,
				this.droppedMessages.get() - this.droppedAtCloseRequest,
				Duration.ofNanos(System.nanoTime() - this.closeRequestedNanos), this.drainTimedOut, 0,
				this.closeBarrier.getOutcome());
		try {
			// Listeners first, so that whoever waits on the future also sees the log line and metrics.
			this.listener.sessionClosed(this, result);
		}
		finally {
			this.closeFuture.complete(result);
		}
	}

	private static int saturatedInt(long value) {
		return (int) Math.min(value, Integer.MAX_VALUE);
	}

	@Override
	public String toString() {
		return "DrainingWebSocketSession[id=" + getId() + ", state=" + this.state + ", queued=" + this.queuedMessages
				+ ", sent=" + this.sentMessages + ", dropped=" + this.droppedMessages.get() + "]";
	}

	/**
	 * Where a draining session is in its life.
	 */
	public enum State {

		/** Accepting messages. */
		OPEN,

		/** Refusing new messages, flushing the queue before the close frame. */
		CLOSING,

		/** The close frame is sent or the connection has ended. */
		CLOSED

	}

}

package io.github.wsdrain.session;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.WebSocketSessionDecorator;

/**
 * A {@link WebSocketSession} that is safe to send to from any number of threads and
 * that never discards on close: every message accepted by {@link #sendMessage} is
 * written, in order, before the close frame, unless the drain timeout or the end of the
 * connection prevents it, in which case the loss is counted, logged and reported.
 * <p>
 * Sends are admitted to a bounded {@link SendQueue} and written by a {@link QueueWriter};
 * the {@link SessionState} and the close live in a {@link CloseSequence}:
 * {@link #close(CloseStatus)} returns at once, the drain and the close frame run on the
 * executor because the caller may be a container thread and the peer may be slow.
 * <p>
 * What becomes of messages the connection fails to write is fixed at creation
 * ({@link UnsentMessages}). Where Spring requires a {@code ConcurrentWebSocketSessionDecorator}
 * (STOMP), a {@link StompSessionAdapter} stands in for the session.
 */
public class DrainingWebSocketSession extends WebSocketSessionDecorator {

	private static final long STUCK_WRITE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

	private final DrainSettings settings;

	private final UnsentMessages unsent;

	private final DrainingSessionListener listener;

	private final SendQueue queue;

	private final QueueWriter writer;

	private final CloseBarrier closeBarrier;

	private final CloseSequence close;

	private final long createdNanos = System.nanoTime();

	private static final AtomicLongFieldUpdater<DrainingWebSocketSession> DROPPED_MESSAGES = AtomicLongFieldUpdater
		.newUpdater(DrainingWebSocketSession.class, "droppedMessages");

	private volatile long droppedMessages;

	/**
	 * Create a draining session.
	 * @param delegate the container's session
	 * @param settings the queue bound, overflow policy and drain timeout
	 * @param unsent what becomes of messages the connection fails to write
	 * @param executor runs drains and close frames, which may block on the peer
	 * @param timer fires drain timeouts; nothing that blocks runs on it
	 * @param listener told of drops and of the close
	 * @param totals counts what every session writes
	 */
	public DrainingWebSocketSession(WebSocketSession delegate, DrainSettings settings, UnsentMessages unsent,
			Executor executor, ScheduledExecutorService timer, DrainingSessionListener listener, SendTotals totals) {
		this(delegate, settings, unsent, executor, timer, listener, totals, new BarrierPings(executor, timer));
	}

	/**
	 * Create a draining session that shares the writer of close barrier Pings with the
	 * other sessions of its registry, so that closing them all at once hands their Pings
	 * to one thread.
	 * @param delegate the container's session
	 * @param settings the queue bound, overflow policy and drain timeout
	 * @param unsent what becomes of messages the connection fails to write
	 * @param executor runs drains and close frames, which may block on the peer
	 * @param timer fires drain timeouts; nothing that blocks runs on it
	 * @param listener told of drops and of the close
	 * @param totals counts what every session writes
	 * @param barrierPings writes the close barrier's Pings of bursts of closes
	 */
	public DrainingWebSocketSession(WebSocketSession delegate, DrainSettings settings, UnsentMessages unsent,
			Executor executor, ScheduledExecutorService timer, DrainingSessionListener listener, SendTotals totals,
			BarrierPings barrierPings) {
		super(delegate);
		this.settings = settings;
		this.unsent = unsent;
		this.listener = listener;
		// A dropped frame of a replayed stream would be a gap: senders wait instead.
		SendOverflowPolicy policy = (unsent == UnsentMessages.REPLAYED
				&& settings.overflow() == SendOverflowPolicy.DROP_OLDEST) ? SendOverflowPolicy.BLOCK
						: settings.overflow();
		this.queue = new SendQueue(settings.sendBufferSize().toBytes(), policy, settings.sendTimeLimit());
		this.writer = new QueueWriter(this.queue, delegate, totals, this, executor);
		// The container's own bound frees the writer even if cutting the connection does not.
		ContainerWrites.boundBlockingWrites(delegate,
				settings.sendTimeLimit().plus(settings.writeCheckInterval().multipliedBy(2)));
		this.closeBarrier = new CloseBarrier(settings.closeBarrierTimeout(), timer, executor);
		if (unsent == UnsentMessages.REPLAYED) {
			// The session above waits for the client's acknowledgement of every message,
			// which proves more than a Pong.
			this.closeBarrier.skip();
		}
		this.close = new CloseSequence(this, settings, executor, timer, listener, this.queue, this.writer,
				this.closeBarrier, barrierPings);
	}

	/**
	 * Queue the message and, unless another thread is already writing, write the queue
	 * out; a sender that sends again as soon as its previous write ended leaves the
	 * writing to a thread of the executor and returns, so that its next messages go out
	 * together. Messages from one thread leave in the order of the calls.
	 * @param message the message to send
	 * @throws SessionClosingException if the session is closing or closed: the message
	 * was not accepted
	 * @throws SendBufferFullException if the message did not fit in the send buffer
	 * (see {@link SendOverflowPolicy})
	 * @throws IOException if the container failed to write a queued message on this
	 * thread (a failure on the executor's thread is counted among the dropped messages)
	 */
	@Override
	public void sendMessage(WebSocketMessage<?> message) throws IOException {
		sendMessage(message, null);
	}

	/**
	 * Send as {@link #sendMessage(WebSocketMessage)} does, and tell the callback once the
	 * message is accepted, before it is written: STOMP releases the next message of a
	 * session so when publish order is preserved.
	 */
	void sendMessage(WebSocketMessage<?> message, @Nullable Consumer<WebSocketMessage<?>> accepted)
			throws IOException {
		admit(message);
		if (accepted != null) {
			accepted.accept(message);
		}
		this.writer.send(message.getPayloadLength());
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
		return this.close.closeAsync(status);
	}

	/**
	 * Make the first close request wait, at most the drain timeout, until the given
	 * future completes, while the session still accepts messages: STOMP waits so for the
	 * messages Spring's outbound channel holds for the session. A later close request
	 * does not wait.
	 * @param delay supplies, at the close request, the future to wait for
	 */
	public void setCloseDelay(Supplier<CompletableFuture<?>> delay) {
		this.close.setCloseDelay(delay);
	}

	/**
	 * Return the close barrier: the Ping between the last message and the close frame.
	 * @return the close barrier
	 */
	public CloseBarrier getCloseBarrier() {
		return this.closeBarrier;
	}

	/**
	 * End the drain of a closing session now, as if its drain timeout had passed: what is
	 * still queued is dropped (and counted), and the close frame goes out. Does nothing
	 * unless the session is draining.
	 */
	public void expireDrain() {
		this.close.expireDrain();
	}

	/**
	 * Return a future completed when the session has closed, whoever closed it.
	 * @return the close future
	 */
	public CompletableFuture<CloseResult> getCloseFuture() {
		return this.close.closeFuture();
	}

	/**
	 * Return a future completed when the container reports the end of the connection:
	 * after the peer's close reply, or when the network or the container ended it. Later
	 * than {@link #getCloseFuture()} when this side closed first.
	 * @return the connection end future, completed with the status the container reported
	 */
	public CompletableFuture<CloseStatus> getConnectionEndFuture() {
		return this.close.connectionEnd();
	}

	/**
	 * Return {@code false} as soon as a close is requested, so that loops that check
	 * {@code isOpen()} stop producing.
	 */
	@Override
	public boolean isOpen() {
		return this.close.state().isAccepting() && super.isOpen();
	}

	/**
	 * Return where this session is in its life.
	 * @return the state
	 */
	public SessionState getState() {
		return this.close.state();
	}

	/**
	 * Return what becomes of the messages this session fails to write.
	 * @return the mode chosen at creation
	 */
	public UnsentMessages getUnsentMessages() {
		return this.unsent;
	}

	/**
	 * Return the number of messages waiting to be written.
	 * @return the queued message count
	 */
	public int getQueuedMessages() {
		return this.queue.size();
	}

	/**
	 * Return the payload bytes waiting to be written.
	 * @return the queued byte count
	 */
	public long getQueuedBytes() {
		return this.queue.bytes();
	}

	/**
	 * Return the number of messages {@link #sendMessage} has accepted so far.
	 * @return the accepted message count
	 */
	public long getAcceptedMessages() {
		return this.queue.admitted();
	}

	/**
	 * Return the number of messages handed to the container so far.
	 * @return the sent message count
	 */
	public long getSentMessages() {
		return this.writer.getSentMessages();
	}

	/**
	 * Return the payload bytes handed to the container so far.
	 * @return the sent byte count
	 */
	public long getSentBytes() {
		return this.writer.getSentBytes();
	}

	/**
	 * Return the number of accepted messages that were dropped instead of sent.
	 * @return the dropped message count
	 */
	public long getDroppedMessages() {
		return this.droppedMessages;
	}

	/**
	 * Return how long ago the session was opened.
	 * @return the session age
	 */
	public Duration getAge() {
		return Duration.ofNanos(System.nanoTime() - this.createdNanos);
	}

	/**
	 * Called by the draining handler when the container reports the end of the
	 * connection: whatever is still queued can no longer be sent.
	 * @param status the status the connection ended with
	 */
	public void connectionClosed(CloseStatus status) {
		this.close.connectionClosed(status);
	}

	/**
	 * End the session if its write in progress (messages, the close barrier's Ping or the
	 * close frame) has run past the send time limit: what is queued is dropped and
	 * counted, the close reports 1011, and the connection is cut so that the blocked
	 * writer returns. Called by the write watchdog.
	 * @return {@code true} if this ended the session
	 */
	public boolean endStuckWrite() {
		long writeNanos = this.writer.getWriteTimeNanos();
		if (writeNanos <= this.settings.sendTimeLimit().toNanos()) {
			return false;
		}
		return this.close.writeTimedOut(this.writer.getWriteBytes(), writeNanos);
	}

	/**
	 * Return how long the write to the container in progress has taken: a peer that
	 * stops reading holds it until the send time limit ends the session.
	 * @return the time, zero when no write is in progress
	 */
	public Duration getWriteTime() {
		return Duration.ofNanos(this.writer.getWriteTimeNanos());
	}

	/**
	 * Return whether the write to the container in progress has lasted longer than a
	 * healthy write should: 1 s, or half the send time limit when that is shorter.
	 * @return {@code true} while the session is stuck in a write
	 */
	public boolean isStuckInWrite() {
		long threshold = Math.min(STUCK_WRITE_NANOS, this.settings.sendTimeLimit().toNanos() / 2);
		return this.writer.getWriteTimeNanos() > threshold;
	}

	/**
	 * Return the payload bytes of the write to the container in progress: they left the
	 * queue, so {@link #getQueuedBytes()} no longer counts them.
	 * @return the byte count, 0 when no write of messages is in progress
	 */
	public long getWriteBytes() {
		return this.writer.getWriteBytes();
	}

	QueueWriter getWriter() {
		return this.writer;
	}

	long getTimeSinceWriteStarted() {
		return this.writer.getTimeSinceWriteStarted();
	}

	/** A container write failed: its messages are lost, past the send time limit the session ends. */
	void writeFailed(long lost) {
		// The container's own bound may have ended the write just before the watchdog did.
		endStuckWrite();
		recordDropped(this.close.writeTimedOutRequested() ? DropReason.WRITE_TIMEOUT : DropReason.SEND_FAILED, lost);
	}

	DrainSettings getSettings() {
		return this.settings;
	}

	private void admit(WebSocketMessage<?> message) throws IOException {
		SendQueue.Offer offer;
		try {
			offer = this.queue.offer(message);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new SessionClosingException(getId(),
					"Interrupted while waiting for room in the send buffer of WebSocket session " + getId());
		}
		switch (offer.outcome()) {
			case ADMITTED -> recordDropped(DropReason.OVERFLOW, offer.droppedOldest());
			case CLOSED -> {
				if (offer.waitedForRoom() && this.close.writeTimedOutRequested()) {
					// The sender waited for room that a stuck write never made: a full buffer.
					throw overflow(message.getPayloadLength());
				}
				throw new SessionClosingException(getId(), "WebSocket session " + getId() + " is "
						+ getState().tagValue() + " (close requested with " + this.close.requestedStatus()
						+ "): message not accepted");
			}
			case FULL -> throw overflow(message.getPayloadLength());
		}
	}

	private SendBufferFullException overflow(int size) {
		boolean terminate = this.settings.overflow() == SendOverflowPolicy.TERMINATE;
		String reason = terminate ? "send buffer full"
				: "no room within the send time limit of " + this.settings.sendTimeLimit().toMillis() + " ms";
		String message = "WebSocket session " + getId() + ": message of " + size + " bytes refused, " + reason
				+ " (send-buffer-size " + this.settings.sendBufferSize().toBytes() + " bytes); closing with 1011";
		CloseStatus status = CloseStatus.SERVER_ERROR.withReason("Send buffer overflow");
		if (!terminate) {
			// Everything accepted so far still goes out before the close frame.
			closeAsync(status);
		}
		else {
			this.close.terminate(status);
		}
		return new SendBufferFullException(getId(), message);
	}

	void recordDropped(DropReason reason, long count) {
		if (count > 0 && this.unsent == UnsentMessages.DROPPED) {
			DROPPED_MESSAGES.addAndGet(this, count);
			this.listener.messagesDropped(this, reason, count);
		}
	}

	@Override
	public String toString() {
		return "DrainingWebSocketSession[id=" + getId() + ", state=" + getState() + ", queued=" + getQueuedMessages()
				+ ", sent=" + getSentMessages() + ", dropped=" + getDroppedMessages() + "]";
	}

}

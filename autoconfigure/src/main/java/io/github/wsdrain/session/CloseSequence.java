package io.github.wsdrain.session;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.CloseStatus;

/**
 * The state machine of one {@link DrainingWebSocketSession} and the close it runs: the
 * close delay, the drain within the drain timeout, the close barrier, the close frame,
 * the cut of a connection whose write ran past the send time limit, and the one report
 * of the outcome. Every transition goes through {@link #transition}, or, for a write
 * timeout, {@link #writeTimedOut}, under one lock, with the events of
 * {@link SessionState}.
 */
final class CloseSequence {

	private static final Log logger = LogFactory.getLog(DrainingWebSocketSession.class);

	private final DrainingWebSocketSession session;

	private final DrainSettings settings;

	private final Executor executor;

	private final ScheduledExecutorService timer;

	private final DrainingSessionListener listener;

	private final SendQueue queue;

	private final QueueWriter writer;

	private final CloseBarrier closeBarrier;

	private final BarrierPings barrierPings;

	/** Guarded, with the close request, by this sequence's monitor. */
	private volatile SessionState state = SessionState.OPEN;

	/** Set when the session stops accepting messages. */
	private volatile @Nullable CloseRequest closeRequest;

	/** Created by the first caller that asks for it, under this sequence's monitor: an idle session holds none. */
	private volatile @Nullable CompletableFuture<CloseResult> closeFuture;

	/** Created as {@link #closeFuture} is. */
	private volatile @Nullable CompletableFuture<CloseStatus> connectionEnd;

	/** What the first close request waits for while the session still accepts messages. */
	private volatile @Nullable Supplier<CompletableFuture<?>> closeDelay;

	CloseSequence(DrainingWebSocketSession session, DrainSettings settings, Executor executor,
			ScheduledExecutorService timer, DrainingSessionListener listener, SendQueue queue, QueueWriter writer,
			CloseBarrier closeBarrier, BarrierPings barrierPings) {
		this.session = session;
		this.settings = settings;
		this.executor = executor;
		this.timer = timer;
		this.listener = listener;
		this.queue = queue;
		this.writer = writer;
		this.closeBarrier = closeBarrier;
		this.barrierPings = barrierPings;
	}

	CompletableFuture<CloseResult> closeAsync(CloseStatus status) {
		Supplier<CompletableFuture<?>> delay = this.closeDelay;
		if (delay != null && transition(SessionState::closeDelayed, status) != null) {
			delay.get()
				.orTimeout(this.settings.drainTimeout().toNanos(), TimeUnit.NANOSECONDS)
				.whenCompleteAsync((done, ex) -> closeAsync(status), this.executor);
			return closeFuture();
		}
		if (transition(SessionState::closeRequested, status) != null) {
			if (this.closeBarrier.sendsPing(this.session.getAcceptedMessages()) && this.writer.isDrained()) {
				// Nothing to drain and nobody writing: the Ping goes out on this thread, or on
				// the writer of a burst of closes. Only the Ping: the close frame may call the
				// application back from inside the container, which must not happen under the
				// caller's locks.
				long deadline = requiredCloseRequest().requestedNanos() + this.settings.drainTimeout().toNanos();
				this.barrierPings.write(() -> closeDrained(deadline));
			}
			else {
				this.executor.execute(this::drainAndClose);
			}
		}
		return closeFuture();
	}

	/**
	 * A write to the container ran past the send time limit: drop the queue, report, and
	 * cut the connection so that the blocked writer returns.
	 * @param writeBytes the payload bytes of the stuck write
	 * @param writeNanos how long it has taken so far
	 * @return {@code true} if this ended the session, {@code false} if it had ended
	 * already
	 */
	boolean writeTimedOut(long writeBytes, long writeNanos) {
		SessionState from;
		synchronized (this) {
			from = this.state;
			SessionState next = from.writeTimedOut();
			if (next == null) {
				return false;
			}
			if (from.isAccepting()) {
				this.closeRequest = new CloseRequest(CloseRequest.WRITE_TIMEOUT_STATUS, System.nanoTime(),
						this.session.getSentMessages(), this.session.getDroppedMessages(), false, true);
				// Senders woken by the close see the new state.
				this.state = next;
				this.queue.close();
			}
			else {
				this.closeRequest = requiredCloseRequest().writeTimedOutNow();
				this.state = next;
			}
		}
		this.session.recordDropped(DropReason.WRITE_TIMEOUT, this.queue.clear());
		try {
			this.listener.writeTimedOut(this.session, writeBytes, Duration.ofNanos(writeNanos));
		}
		finally {
			report();
		}
		// The timer thread must not block on the container.
		this.executor.execute(this::sendCloseFrame);
		return true;
	}

	/** A message did not fit under {@link SendOverflowPolicy#TERMINATE}: drop the queue, close at once. */
	void terminate(CloseStatus status) {
		if (transition(SessionState::terminated, status) != null) {
			this.session.recordDropped(DropReason.OVERFLOW, this.queue.clear());
			this.executor.execute(this::sendCloseFrame);
		}
	}

	void expireDrain() {
		onDrainTimeout();
	}

	void connectionClosed(CloseStatus status) {
		connectionEnd().complete(status);
		this.closeBarrier.connectionEnded();
		SessionState from = transition(SessionState::connectionEnded, status);
		if (from == null) {
			return;
		}
		this.session.recordDropped(DropReason.CONNECTION_CLOSED, this.queue.clear());
		if (!from.isReported()) {
			report();
		}
	}

	void setCloseDelay(Supplier<CompletableFuture<?>> delay) {
		this.closeDelay = delay;
	}

	SessionState state() {
		return this.state;
	}

	/** Return whether a write ran past the send time limit and ended the session. */
	boolean writeTimedOutRequested() {
		CloseRequest request = this.closeRequest;
		return request != null && request.writeTimedOut();
	}

	/** Return the status of the close requested so far, or {@code null}. */
	@Nullable CloseStatus requestedStatus() {
		CloseRequest request = this.closeRequest;
		return (request != null) ? request.status() : null;
	}

	CompletableFuture<CloseResult> closeFuture() {
		CompletableFuture<CloseResult> future = this.closeFuture;
		if (future == null) {
			synchronized (this) {
				future = this.closeFuture;
				if (future == null) {
					future = new CompletableFuture<>();
					this.closeFuture = future;
				}
			}
		}
		return future;
	}

	CompletableFuture<CloseStatus> connectionEnd() {
		CompletableFuture<CloseStatus> future = this.connectionEnd;
		if (future == null) {
			synchronized (this) {
				future = this.connectionEnd;
				if (future == null) {
					future = new CompletableFuture<>();
					this.connectionEnd = future;
				}
			}
		}
		return future;
	}

	private void drainAndClose() {
		long deadline = requiredCloseRequest().requestedNanos() + this.settings.drainTimeout().toNanos();
		// The writer at work may be stuck on a peer that does not read: the watchdog ends
		// the drain on time even then.
		ScheduledFuture<?> watchdog = this.timer.schedule(this::onDrainTimeout, deadline - System.nanoTime(),
				TimeUnit.NANOSECONDS);
		boolean written;
		try {
			written = this.writer.drain(deadline);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			written = false;
		}
		catch (IOException | RuntimeException ex) {
			// The write failure counted the lost messages: the close frame still goes out.
			logger.debug("WebSocket session " + this.session.getId() + ": write failed while draining", ex);
			written = true;
		}
		finally {
			watchdog.cancel(false);
		}
		if (!written) {
			onDrainTimeout();
		}
		else {
			closeDrained(deadline);
		}
	}

	private void closeDrained(long deadline) {
		if (transition(SessionState::drained, null) != null) {
			this.writer.controlWrite(
					() -> this.closeBarrier.pass(this.session.getDelegate(), this.session.getAcceptedMessages(),
							deadline, this::sendCloseFrame));
		}
	}

	private void onDrainTimeout() {
		synchronized (this) {
			SessionState next = this.state.drainTimedOut();
			if (next == null) {
				return;
			}
			this.state = next;
			this.closeRequest = requiredCloseRequest().timedOut();
		}
		this.session.recordDropped(DropReason.DRAIN_TIMEOUT, this.queue.clear());
		// The container may hold the close behind a write that never finishes: the drain
		// is over either way, so report it now.
		report();
		// The timer thread must not block on the container.
		this.executor.execute(this::sendCloseFrame);
	}

	private void sendCloseFrame() {
		if (this.state == SessionState.CLOSED) {
			// The connection ended meanwhile: there is nobody to send it to.
			return;
		}
		CloseRequest request = requiredCloseRequest();
		this.writer.controlWrite(() -> {
			try {
				if (request.cutsConnection()) {
					ContainerConnections.closeStuckConnection(this.session.getDelegate(), request.status());
				}
				else {
					this.session.getDelegate().close(request.status());
				}
			}
			catch (IOException | RuntimeException ex) {
				logger.debug("WebSocket session " + this.session.getId() + ": failed to send close frame "
						+ request.status(), ex);
			}
		});
		SessionState from = transition(SessionState::closeFrameSent, null);
		if (from != null && !from.isReported()) {
			report();
		}
	}

	/**
	 * Apply an event to the state; when the session stops accepting messages, record the
	 * close request and close the queue, so that nothing is accepted after it.
	 * @return the state the event left, or {@code null} if it did not apply
	 */
	private @Nullable SessionState transition(Function<SessionState, @Nullable SessionState> event,
			@Nullable CloseStatus status) {
		synchronized (this) {
			SessionState from = this.state;
			SessionState to = event.apply(from);
			if (to == null) {
				return null;
			}
			if (from.isAccepting() && !to.isAccepting()) {
				this.closeRequest = new CloseRequest((status != null) ? status : CloseStatus.NORMAL, System.nanoTime(),
						this.session.getSentMessages(), this.session.getDroppedMessages(), false, false);
				this.queue.close();
			}
			this.state = to;
			return from;
		}
	}

	private CloseRequest requiredCloseRequest() {
		CloseRequest request = this.closeRequest;
		if (request == null) {
			throw new IllegalStateException("WebSocket session " + this.session.getId() + " has no close request");
		}
		return request;
	}

	/** Report the outcome once: the caller made the one transition that reports it. */
	private void report() {
		CloseRequest request = requiredCloseRequest();
		CloseResult result = new CloseResult(this.session.getId(), request.status(), this.session.getSentMessages() - request.sentBefore(),
				this.session.getDroppedMessages() - request.droppedBefore(),
				Duration.ofNanos(System.nanoTime() - request.requestedNanos()), request.drainTimedOut(), 0,
				this.closeBarrier.getOutcome());
		try {
			// Listeners first, so that whoever waits on the future also sees the log line and metrics.
			this.listener.sessionClosed(this.session, result);
		}
		finally {
			closeFuture().complete(result);
		}
	}

}

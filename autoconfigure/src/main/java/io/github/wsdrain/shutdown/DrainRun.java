package io.github.wsdrain.shutdown;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.server.GoingAwayHandler;
import io.github.wsdrain.server.resume.ResumableSession;
import io.github.wsdrain.server.resume.ResumableSessions;
import io.github.wsdrain.session.DrainingWebSocketSession;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;

/**
 * One drain of every session: those open when it starts, any that a handshake already
 * past the gate adds while it runs, and every {@code wsdrain.v1} session waiting for a
 * resume. Each session's {@link GoingAwayHandler} is told, then the session is closed,
 * all sessions in parallel; at the timeout, sessions still draining are closed at once.
 * One INFO line and a {@link DrainSummary} report the outcome.
 */
final class DrainRun {

	/** The shutdown's category: users configure one logger for the drain's report. */
	private static final Log logger = LogFactory.getLog(GracefulWebSocketShutdown.class);

	private final DrainingSessionRegistry registry;

	private final @Nullable ResumableSessions resumableSessions;

	private final CloseStatus status;

	private final Duration timeout;

	private final Executor executor;

	private final ScheduledExecutorService timer;

	private final long startNanos = System.nanoTime();

	private final Map<DrainingWebSocketSession, Baseline> sessions = new ConcurrentHashMap<>();

	/** The {@code wsdrain.v1} sessions this drain closes, connected or not. */
	private final Set<ResumableSession> resumable = ConcurrentHashMap.newKeySet();

	/** Those of them that had no connection to drain. */
	private final Set<ResumableSession> detached = ConcurrentHashMap.newKeySet();

	/** Going-away callbacks, interrupted when the drain ends. */
	private final Queue<FutureTask<?>> callbacks = new ConcurrentLinkedQueue<>();

	private final AtomicBoolean finished = new AtomicBoolean();

	private final CompletableFuture<DrainSummary> result = new CompletableFuture<>();

	private volatile @Nullable ScheduledFuture<?> deadline;

	/**
	 * Prepare a drain.
	 * @param registry the sessions to drain
	 * @param resumableSessions the {@code wsdrain.v1} sessions, or {@code null}
	 * @param status the close status to send
	 * @param timeout the longest the drain may take
	 * @param executor runs the going-away callbacks, a thread each (they may block), and
	 * each round after the first
	 * @param timer ends the drain at the timeout
	 */
	DrainRun(DrainingSessionRegistry registry, @Nullable ResumableSessions resumableSessions, CloseStatus status,
			Duration timeout, Executor executor, ScheduledExecutorService timer) {
		this.registry = registry;
		this.resumableSessions = resumableSessions;
		this.status = status;
		this.timeout = timeout;
		this.executor = executor;
		this.timer = timer;
	}

	/**
	 * Start the drain.
	 * @return a future completed with the outcome when every session has closed, or at
	 * the timeout
	 */
	CompletableFuture<DrainSummary> start() {
		this.deadline = this.timer.schedule(() -> finish(true), this.timeout.toNanos(), TimeUnit.NANOSECONDS);
		round(newSessions(), newDetachedSessions());
		return this.result;
	}

	/**
	 * Tell the handler of each session, then close that session: each on its own, so
	 * that a handler stuck on one session does not hold up the others. Close the
	 * detached {@code wsdrain.v1} sessions alongside. Repeat for latecomers (handshakes
	 * already past the gate when it closed, sessions that lost their connection
	 * meanwhile).
	 */
	private void round(List<DrainingWebSocketSession> batch, List<ResumableSession> detachedBatch) {
		if ((batch.isEmpty() && detachedBatch.isEmpty()) || this.finished.get()) {
			finish(false);
			return;
		}
		Stream<CompletableFuture<?>> connections = batch.stream()
			.map((session) -> tellAsync(session).handle((told, ex) -> session).thenCompose(this::close));
		Stream<CompletableFuture<?>> suspended = detachedBatch.stream()
			.map((session) -> session.closeForShutdown(this.status));
		CompletableFuture<?>[] ended = Stream.concat(connections, suspended).toArray(CompletableFuture[]::new);
		// The last close may complete on a container thread (the close frame follows a Pong
		// there): the next round must not close sessions, and write their Pings, on it.
		CompletableFuture.allOf(ended).whenCompleteAsync((all, failure) -> {
			if (this.registry.getHandshakeGate().isAccepting()) {
				// Accepting has resumed meanwhile: what opens now is not this drain's.
				finish(false);
			}
			else {
				round(newSessions(), newDetachedSessions());
			}
		}, this.executor);
	}

	private List<DrainingWebSocketSession> newSessions() {
		List<DrainingWebSocketSession> batch = new ArrayList<>();
		for (DrainingWebSocketSession session : this.registry.getSessions()) {
			Baseline baseline = new Baseline(session.getSentMessages(), session.getDroppedMessages());
			if (this.sessions.putIfAbsent(session, baseline) == null) {
				ResumableSession resumableSession = resumableOf(session);
				if (resumableSession != null) {
					// Closed through its connection, not as a detached session, should it lose it.
					this.resumable.add(resumableSession);
				}
				batch.add(session);
			}
		}
		return batch;
	}

	/** {@code wsdrain.v1} sessions without a connection that this drain has not closed yet. */
	private List<ResumableSession> newDetachedSessions() {
		if (this.resumableSessions == null) {
			return List.of();
		}
		List<ResumableSession> batch = new ArrayList<>();
		for (ResumableSession session : this.resumableSessions.getSessions()) {
			if (session.isDetached() && this.resumable.add(session)) {
				this.detached.add(session);
				batch.add(session);
			}
		}
		return batch;
	}

	private CompletableFuture<?> tellAsync(DrainingWebSocketSession session) {
		CompletableFuture<Void> told = new CompletableFuture<>();
		FutureTask<Void> callback = new FutureTask<>(() -> tell(session), null) {

			@Override
			protected void done() {
				told.complete(null);
			}

		};
		this.callbacks.add(callback);
		try {
			this.executor.execute(callback);
		}
		catch (RejectedExecutionException ex) {
			// The threads are stopping with the application: close without the callback.
			told.complete(null);
		}
		return told;
	}

	private void tell(DrainingWebSocketSession session) {
		if (!session.getState().isAccepting() || this.finished.get()) {
			return;
		}
		GoingAwayHandler handler = goingAwayHandler(this.registry.getHandler(session));
		if (handler == null) {
			return;
		}
		// A wsdrain.v1 app sees the session, never its connection: frames it sent there
		// would carry no number.
		ResumableSession resumableSession = resumableOf(session);
		if (resumableSession != null && !resumableSession.isOpen()) {
			return;
		}
		try {
			handler.beforeShutdown((resumableSession != null) ? resumableSession : session);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (Exception ex) {
			logger.warn("WebSocket session " + session.getId() + ": " + handler.getClass().getName()
					+ ".beforeShutdown failed; closing the session all the same", ex);
		}
	}

	/**
	 * Close the session and complete when its connection has ended: closing the socket
	 * while the peer's close reply sits unread would reset the connection, and the peer
	 * may then discard what it has not read yet. A connection that carries a
	 * {@code wsdrain.v1} session is closed by that session once its client has
	 * acknowledged everything: a close of the connection alone would only suspend the
	 * session (PROTOCOL.md §5).
	 */
	private CompletableFuture<?> close(DrainingWebSocketSession session) {
		ResumableSession resumableSession = resumableOf(session);
		CompletableFuture<?> closed = (resumableSession != null) ? resumableSession.closeForShutdown(this.status)
				: session.closeAsync(this.status);
		return closed.thenCompose((result) -> session.getConnectionEndFuture());
	}

	private void finish(boolean timedOut) {
		if (!this.finished.compareAndSet(false, true)) {
			return;
		}
		ScheduledFuture<?> deadline = this.deadline;
		if (deadline != null) {
			deadline.cancel(false);
		}
		int forced = timedOut ? forceClose() : 0;
		long flushed = 0;
		long dropped = 0;
		for (Map.Entry<DrainingWebSocketSession, Baseline> entry : this.sessions.entrySet()) {
			flushed += entry.getKey().getSentMessages() - entry.getValue().sent();
			dropped += entry.getKey().getDroppedMessages() - entry.getValue().dropped();
		}
		long unacknowledged = this.resumable.stream().mapToLong(ResumableSession::getUnacknowledgedMessages).sum();
		// A callback still running holds up nothing any more: stop it.
		this.callbacks.forEach((callback) -> callback.cancel(true));
		int total = this.sessions.size() + this.detached.size();
		DrainSummary summary = new DrainSummary(total, total - forced, forced, flushed, dropped, unacknowledged,
				Duration.ofNanos(System.nanoTime() - this.startNanos));
		logger.info(describe(summary));
		this.result.complete(summary);
	}

	/** Close every session still draining at the timeout; return how many there were. */
	private int forceClose() {
		int forced = 0;
		for (DrainingWebSocketSession session : this.sessions.keySet()) {
			if (!session.getCloseFuture().isDone()) {
				session.closeAsync(this.status);
				session.expireDrain();
				forced++;
			}
		}
		// Nothing to cut: each ends at its ack timeout, which began with this drain.
		forced += (int) this.detached.stream().filter((session) -> !session.getCloseFuture().isDone()).count();
		return forced;
	}

	private String describe(DrainSummary summary) {
		StringBuilder line = new StringBuilder("WebSocket drain: ").append(summary.closed())
			.append(" session(s) closed with ")
			.append(this.status.getCode())
			.append(", ")
			.append(summary.flushed())
			.append(" message(s) flushed, ")
			.append(summary.dropped())
			.append(" dropped, ");
		if (!this.resumable.isEmpty()) {
			line.append(summary.unacknowledged()).append(" unacknowledged, ");
		}
		line.append("in ").append(summary.duration().toMillis()).append(" ms");
		if (summary.forced() > 0) {
			line.append("; ")
				.append(summary.forced())
				.append(" session(s) still draining at the ")
				.append(this.timeout.toMillis())
				.append(" ms timeout, closed anyway");
		}
		return line.toString();
	}

	private @Nullable ResumableSession resumableOf(DrainingWebSocketSession connection) {
		return (this.resumableSessions != null) ? this.resumableSessions.sessionOf(connection) : null;
	}

	private static @Nullable GoingAwayHandler goingAwayHandler(@Nullable WebSocketHandler handler) {
		WebSocketHandler current = handler;
		while (current != null) {
			if (current instanceof GoingAwayHandler goingAway) {
				return goingAway;
			}
			current = (current instanceof WebSocketHandlerDecorator decorator) ? decorator.getDelegate() : null;
		}
		return null;
	}

	/** What a session had sent and dropped when the drain took it on. */
	private record Baseline(long sent, long dropped) {

	}

}

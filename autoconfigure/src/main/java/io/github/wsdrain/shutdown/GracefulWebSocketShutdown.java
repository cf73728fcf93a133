package io.github.wsdrain.shutdown;

import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.server.GoingAwayHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import io.github.wsdrain.server.resume.ResumableSession;
import io.github.wsdrain.server.resume.ResumableSessions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.util.Assert;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;

/**
 * Drains and closes every WebSocket session of the endpoints wsdrain wraps when the
 * application stops, while the web server still carries their traffic; and the same
 * drain on demand ({@link #drainAll(CloseStatus)}), for rolling deploys.
 * <p>
 * A drain refuses new handshakes (503 with {@code Retry-After}), then, for all sessions
 * in parallel, lets the session's {@link GoingAwayHandler} send its last messages and
 * closes the session with the going-away status once what it queued is written. Sessions still draining
 * at the timeout are closed anyway, their queued messages dropped and counted. One INFO
 * line reports the outcome.
 * <p>
 * A connection that carries a {@code wsdrain.v1} {@link ResumableSession} is closed
 * through that session ({@link ResumableSession#closeAsync}): it waits until the client
 * has acknowledged everything, up to the ack timeout, then drains and sends the close
 * frame. Closing the connection alone would only suspend the session. Sessions waiting
 * for a resume at the start of the drain are closed the same way: they end at once when
 * nothing is unacknowledged, else at the ack timeout.
 */
public class GracefulWebSocketShutdown implements SmartLifecycle {

	/**
	 * The stop phase. Beans stop in descending phase order, so this one must be higher
	 * than every phase that ends the sessions or their connections:
	 * <ul>
	 * <li>Boot's web server graceful shutdown ({@code DEFAULT_PHASE - 1024}), which does
	 * not wait for upgraded connections, and the stop of the web server and its
	 * connectors ({@code DEFAULT_PHASE - 2048}), which cuts every socket without a close
	 * frame;</li>
	 * <li>STOMP's {@code SubProtocolWebSocketHandler} (phase 0 under
	 * {@code @EnableWebSocketMessageBroker} unless a configurer says otherwise), which
	 * closes its sessions with 1001 and discards what they buffered.</li>
	 * </ul>
	 * It is lower than {@code DEFAULT_PHASE}, so that the application's own lifecycle
	 * beans in the default phase (message listener containers, pollers…) stop producing
	 * before the sessions are drained. Spring's {@code WebSocketHandlerMapping} stops in
	 * the default phase too; its stop closes no session.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

	private static final Log logger = LogFactory.getLog(GracefulWebSocketShutdown.class);

	private final DrainingSessionRegistry registry;

	private final @Nullable ResumableSessions resumableSessions;

	private final Duration timeout;

	private final CloseStatus closeStatus;

	private final Duration retryAfter;

	private volatile boolean running;

	/**
	 * Create a shutdown for the sessions of a registry.
	 * @param registry the registry of the sessions to drain
	 * @param timeout the longest a whole drain may take
	 * @param closeStatus the status sessions are closed with on shutdown
	 * @param retryAfter how long refused handshakes are told to wait
	 */
	public GracefulWebSocketShutdown(DrainingSessionRegistry registry, Duration timeout, CloseStatus closeStatus,
			Duration retryAfter) {
		this(registry, null, timeout, closeStatus, retryAfter);
	}

	/**
	 * Create a shutdown for the sessions of a registry and for the {@code wsdrain.v1}
	 * sessions they carry.
	 * @param registry the registry of the sessions to drain
	 * @param resumableSessions the {@code wsdrain.v1} sessions, or {@code null} when
	 * resuming is off
	 * @param timeout the longest a whole drain may take
	 * @param closeStatus the status sessions are closed with on shutdown
	 * @param retryAfter how long refused handshakes are told to wait
	 */
	public GracefulWebSocketShutdown(DrainingSessionRegistry registry, @Nullable ResumableSessions resumableSessions,
			Duration timeout, CloseStatus closeStatus, Duration retryAfter) {
		Assert.isTrue(timeout.compareTo(Duration.ZERO) > 0, "timeout must be positive");
		Assert.isTrue(retryAfter.compareTo(Duration.ZERO) > 0, "retryAfter must be positive");
		this.registry = registry;
		this.resumableSessions = resumableSessions;
		this.timeout = timeout;
		this.closeStatus = closeStatus;
		this.retryAfter = retryAfter;
	}

	@Override
	public void start() {
		this.registry.getHandshakeGate().accept();
		this.running = true;
	}

	/**
	 * Drain and close every session, waiting at most the timeout.
	 */
	@Override
	public void stop() {
		this.running = false;
		drainAll(this.closeStatus).join();
	}

	/**
	 * Drain and close every session; the callback runs when the drain has ended, at the
	 * latest at the timeout.
	 * @param callback told when the drain has ended
	 */
	@Override
	public void stop(Runnable callback) {
		this.running = false;
		try {
			drainAll(this.closeStatus).whenComplete((summary, ex) -> callback.run());
		}
		catch (RuntimeException ex) {
			logger.warn("WebSocket drain failed to start; the web server will cut the sessions", ex);
			callback.run();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	/**
	 * Refuse new handshakes, tell every {@link GoingAwayHandler}, then drain and close
	 * every session with the given status, within the configured timeout; a
	 * {@code wsdrain.v1} session once its client has acknowledged everything, or at the
	 * ack timeout. Handshakes stay refused until {@link #resumeAccepting()}.
	 * @param status the close status to send
	 * @return a future completed with the outcome when every session has closed, or at
	 * the timeout
	 */
	public CompletableFuture<DrainSummary> drainAll(CloseStatus status) {
		return drainAll(status, this.timeout);
	}

	/**
	 * Refuse new handshakes, tell every {@link GoingAwayHandler}, then drain and close
	 * every session with the given status. Handshakes stay refused until
	 * {@link #resumeAccepting()}.
	 * @param status the close status to send
	 * @param timeout the longest the drain may take
	 * @return a future completed with the outcome when every session has closed, or at
	 * the timeout
	 */
	public CompletableFuture<DrainSummary> drainAll(CloseStatus status, Duration timeout) {
		this.registry.getHandshakeGate().refuse(this.retryAfter);
		return new Drain(status, timeout).start();
	}

	/**
	 * Accept new handshakes again after {@link #drainAll}.
	 */
	public void resumeAccepting() {
		this.registry.getHandshakeGate().accept();
	}

	/**
	 * Return whether new handshakes are accepted.
	 * @return {@code false} from the start of a drain until {@link #resumeAccepting()}
	 */
	public boolean isAcceptingSessions() {
		return this.registry.getHandshakeGate().isAccepting();
	}

	/**
	 * Return the close status sessions get on shutdown.
	 * @return the close status
	 */
	public CloseStatus getCloseStatus() {
		return this.closeStatus;
	}

	/**
	 * Return the longest a drain may take.
	 * @return the timeout
	 */
	public Duration getTimeout() {
		return this.timeout;
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

	private record Baseline(long sent, long dropped) {

	}

	private @Nullable ResumableSession resumableOf(DrainingWebSocketSession connection) {
		return (this.resumableSessions != null) ? this.resumableSessions.sessionOf(connection) : null;
	}

	/**
	 * One run of {@link #drainAll}: every session open when it starts, and any that a
	 * handshake already past the gate adds while it runs; and every {@code wsdrain.v1}
	 * session waiting for a resume.
	 */
	private final class Drain {

		private final CloseStatus status;

		private final Duration timeout;

		private final long startNanos = System.nanoTime();

		private final Map<DrainingWebSocketSession, Baseline> sessions = new ConcurrentHashMap<>();

		/** The {@code wsdrain.v1} sessions this drain closes, connected or not. */
		private final Set<ResumableSession> resumable = ConcurrentHashMap.newKeySet();

		/** Those of them that had no connection to drain. */
		private final Set<ResumableSession> detached = ConcurrentHashMap.newKeySet();

		private final ThreadPoolExecutor callbacks;

		private final AtomicBoolean finished = new AtomicBoolean();

		private final CompletableFuture<DrainSummary> result = new CompletableFuture<>();

		Drain(CloseStatus status, Duration timeout) {
			this.status = status;
			this.timeout = timeout;
			CustomizableThreadFactory threads = new CustomizableThreadFactory("wsdrain-shutdown-");
			threads.setDaemon(true);
			// A callback may block (on the peer, on the application): one thread each, so
			// that no session waits for another's callback.
			this.callbacks = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 1, TimeUnit.SECONDS, new SynchronousQueue<>(),
					threads);
		}

		CompletableFuture<DrainSummary> start() {
			CompletableFuture.delayedExecutor(this.timeout.toNanos(), TimeUnit.NANOSECONDS)
				.execute(() -> finish(true));
			round(newSessions(), newDetachedSessions());
			return this.result;
		}

		/**
		 * Tell the handler of each session, then close that session: each on its own, so
		 * that a handler stuck on one session does not hold up the others. Close the
		 * detached {@code wsdrain.v1} sessions alongside. Repeat for latecomers
		 * (handshakes already past the gate when it closed, sessions that lost their
		 * connection meanwhile).
		 */
		private void round(List<DrainingWebSocketSession> batch, List<ResumableSession> detachedBatch) {
			if ((batch.isEmpty() && detachedBatch.isEmpty()) || this.finished.get()) {
				finish(false);
				return;
			}
			Stream<CompletableFuture<?>> connections = batch.stream()
				.map((session) -> tellAsync(session).handle((told, ex) -> session).thenCompose(this::close));
			Stream<CompletableFuture<?>> suspended = detachedBatch.stream()
				.map((session) -> session.closeAsync(this.status));
			CompletableFuture<?>[] ended = Stream.concat(connections, suspended).toArray(CompletableFuture[]::new);
			CompletableFuture.allOf(ended).whenComplete((all, failure) -> {
				if (registry.getHandshakeGate().isAccepting()) {
					// Accepting has resumed meanwhile: what opens now is not this drain's.
					finish(false);
				}
				else {
					round(newSessions(), newDetachedSessions());
				}
			});
		}

		private List<DrainingWebSocketSession> newSessions() {
			List<DrainingWebSocketSession> batch = new ArrayList<>();
			for (DrainingWebSocketSession session : registry.getSessions()) {
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
			if (resumableSessions == null) {
				return List.of();
			}
			List<ResumableSession> batch = new ArrayList<>();
			for (ResumableSession session : resumableSessions.getSessions()) {
				if (session.isDetached() && this.resumable.add(session)) {
					this.detached.add(session);
					batch.add(session);
				}
			}
			return batch;
		}

		private CompletableFuture<?> tellAsync(DrainingWebSocketSession session) {
			try {
				return CompletableFuture.runAsync(() -> tell(session), this.callbacks);
			}
			catch (RejectedExecutionException ex) {
				// The drain has ended at its timeout: the session is closed already.
				return CompletableFuture.completedFuture(null);
			}
		}

		private void tell(DrainingWebSocketSession session) {
			if (!session.getState().isAccepting() || this.finished.get()) {
				return;
			}
			GoingAwayHandler handler = goingAwayHandler(registry.getHandler(session));
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
		 * Close the session and complete when its connection has ended: closing the
		 * socket while the peer's close reply sits unread would reset the connection,
		 * and the peer may then discard what it has not read yet. A connection that
		 * carries a {@code wsdrain.v1} session is closed by that session once its client
		 * has acknowledged everything: a close of the connection alone would only suspend
		 * the session (PROTOCOL.md §5).
		 */
		private CompletableFuture<?> close(DrainingWebSocketSession session) {
			ResumableSession resumableSession = resumableOf(session);
			CompletableFuture<?> closed = (resumableSession != null) ? resumableSession.closeAsync(this.status)
					: session.closeAsync(this.status);
			return closed.thenCompose((result) -> session.getConnectionEndFuture());
		}

		private void finish(boolean timedOut) {
			if (!this.finished.compareAndSet(false, true)) {
				return;
			}
			int forced = 0;
			if (timedOut) {
				for (DrainingWebSocketSession session : this.sessions.keySet()) {
					if (!session.getCloseFuture().isDone()) {
						session.closeAsync(this.status);
						session.expireDrain();
						forced++;
					}
				}
				// Nothing to cut: each ends at its ack timeout, which began with this drain.
				forced += (int) this.detached.stream()
					.filter((session) -> !session.getCloseFuture().isDone())
					.count();
			}
			long flushed = 0;
			long dropped = 0;
			for (Map.Entry<DrainingWebSocketSession, Baseline> entry : this.sessions.entrySet()) {
				flushed += entry.getKey().getSentMessages() - entry.getValue().sent();
				dropped += entry.getKey().getDroppedMessages() - entry.getValue().dropped();
			}
			long unacknowledged = this.resumable.stream().mapToLong(ResumableSession::getUnacknowledgedMessages).sum();
			this.callbacks.shutdownNow();
			int total = this.sessions.size() + this.detached.size();
			DrainSummary summary = new DrainSummary(total, total - forced, forced, flushed, dropped, unacknowledged,
					Duration.ofNanos(System.nanoTime() - this.startNanos));
			logger.info(describe(summary));
			this.result.complete(summary);
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
			line.append("in ")
				.append(summary.duration().toMillis())
				.append(" ms");
			if (summary.forced() > 0) {
				line.append("; ")
					.append(summary.forced())
					.append(" session(s) still draining at the ")
					.append(this.timeout.toMillis())
					.append(" ms timeout, closed anyway");
			}
			return line.toString();
		}

	}

}

package io.github.wsdrain.shutdown;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.server.GoingAwayHandler;
import io.github.wsdrain.server.ServerThreads;
import io.github.wsdrain.server.resume.ResumableSession;
import io.github.wsdrain.server.resume.ResumableSessions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.util.Assert;
import org.springframework.web.socket.CloseStatus;

/**
 * Drains and closes every WebSocket session of the endpoints wsdrain wraps when the
 * application stops, while the web server still carries their traffic; and the same
 * drain on demand ({@link #drainAll(CloseStatus)}), for rolling deploys. This class is
 * the lifecycle and the handshake gate; each drain is a {@link DrainRun}.
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
		ServerThreads threads = this.registry.getThreads();
		return new DrainRun(this.registry, this.resumableSessions, status, timeout, threads.executor(),
				threads.timer()).start();
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

}

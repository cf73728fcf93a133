package io.github.wsdrain.server;

import io.github.wsdrain.session.CloseResult;
import io.github.wsdrain.session.DrainSettings;
import io.github.wsdrain.session.DrainingSessionListener;
import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.session.DropReason;
import io.github.wsdrain.session.SendTotals;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.wsdrain.support.RateLimitedLog;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;

/**
 * Creates the draining session for every connection of the endpoints wsdrain wraps, and
 * knows every such session that is still open.
 */
public class DrainingSessionRegistry implements DisposableBean {

	private static final Log logger = LogFactory.getLog(DrainingSessionRegistry.class);

	private static final String SESSION_ATTRIBUTE = DrainingWebSocketSession.class.getName();

	private static final String HANDLER_ATTRIBUTE = DrainingSessionRegistry.class.getName() + ".handler";

	private static final Duration WARN_INTERVAL = Duration.ofSeconds(5);

	private final DrainSettings settings;

	private final List<DrainingSessionListener> listeners;

	private final Set<DrainingWebSocketSession> sessions = ConcurrentHashMap.newKeySet();

	private final ExecutorService drainExecutor;

	private final ScheduledExecutorService timer;

	private final DrainingSessionListener events = new Events();

	private final SendTotals totals = new SendTotals();

	private final HandshakeGate handshakeGate = new HandshakeGate();

	private final RateLimitedLog dropWarnings = new RateLimitedLog(logger, WARN_INTERVAL);

	private final RateLimitedLog timeoutWarnings = new RateLimitedLog(logger, WARN_INTERVAL);

	private final RateLimitedLog undeliveredWarnings = new RateLimitedLog(logger, WARN_INTERVAL);

	private final Map<DropReason, LongAdder> undelivered = new ConcurrentHashMap<>();

	public DrainingSessionRegistry(DrainSettings settings, List<DrainingSessionListener> listeners) {
		this.settings = settings;
		this.listeners = List.copyOf(listeners);
		// A drain blocks on the peer, so each closing session needs its own thread; idle
		// threads go away, and an open session costs none.
		this.drainExecutor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
				new SynchronousQueue<>(), daemonThreads("wsdrain-drain-"));
		this.timer = Executors.newSingleThreadScheduledExecutor(daemonThreads("wsdrain-timer-"));
	}

	/**
	 * Return the settings every new session gets.
	 * @return the drain settings
	 */
	public DrainSettings getSettings() {
		return this.settings;
	}

	/**
	 * Return the draining session for a container session, creating and registering it on
	 * first use.
	 * @param session the session the container created
	 * @return its draining session
	 */
	public DrainingWebSocketSession drainingSession(WebSocketSession session) {
		if (session instanceof DrainingWebSocketSession draining) {
			return draining;
		}
		Object existing = session.getAttributes().get(SESSION_ATTRIBUTE);
		if (existing instanceof DrainingWebSocketSession draining) {
			return draining;
		}
		DrainingWebSocketSession draining = new DrainingWebSocketSession(session, this.settings, this.drainExecutor,
				this.timer, this.events, this.totals);
		session.getAttributes().put(SESSION_ATTRIBUTE, draining);
		this.sessions.add(draining);
		return draining;
	}

	/**
	 * Return the draining session for a container session, as
	 * {@link #drainingSession(WebSocketSession)} does, and remember the handler that
	 * serves it.
	 * @param session the session the container created
	 * @param handler the handler of the endpoint the session belongs to
	 * @return its draining session
	 */
	public DrainingWebSocketSession drainingSession(WebSocketSession session, WebSocketHandler handler) {
		DrainingWebSocketSession draining = drainingSession(session);
		draining.getAttributes().putIfAbsent(HANDLER_ATTRIBUTE, handler);
		return draining;
	}

	/**
	 * Return the handler of the endpoint a session belongs to.
	 * @param session a draining session
	 * @return the handler given to {@link #drainingSession(WebSocketSession, WebSocketHandler)},
	 * or {@code null} if none was
	 */
	public @Nullable WebSocketHandler getHandler(DrainingWebSocketSession session) {
		return (session.getAttributes().get(HANDLER_ATTRIBUTE) instanceof WebSocketHandler handler) ? handler : null;
	}

	/**
	 * Return the gate that the endpoints wsdrain wraps ask before every handshake.
	 * @return the handshake gate
	 */
	public HandshakeGate getHandshakeGate() {
		return this.handshakeGate;
	}

	/**
	 * Return the sessions that have not closed yet.
	 * @return an unmodifiable view of the open and closing sessions
	 */
	public Collection<DrainingWebSocketSession> getSessions() {
		return Collections.unmodifiableSet(this.sessions);
	}

	/**
	 * Return what every session of this registry has written so far.
	 * @return the send totals
	 */
	public SendTotals getSendTotals() {
		return this.totals;
	}

	/**
	 * Count and report a message that Spring's STOMP outbound channel delivered when no
	 * session would take it: WARN, at most one line per interval.
	 * @param sessionId the id of the session the message was for
	 * @param reason {@link DropReason#SESSION_CLOSING} or {@link DropReason#NO_SESSION}
	 */
	public void messageUndelivered(String sessionId, DropReason reason) {
		this.undeliveredWarnings.warn(() -> "STOMP session " + sessionId + ": a message from the outbound channel "
				+ "was not delivered (" + reason.tagValue() + "): it was published after the session "
				+ ((reason == DropReason.NO_SESSION) ? "had ended" : "began to close"));
		this.undelivered.computeIfAbsent(reason, (key) -> new LongAdder()).increment();
		this.listeners.forEach((listener) -> listener.messageUndelivered(sessionId, reason));
	}

	/**
	 * Return how many messages Spring's STOMP outbound channel delivered when no session
	 * would take them, since start, by reason.
	 * @return the counts by reason; reasons that never happened are absent
	 */
	public Map<DropReason, Long> getUndeliveredMessages() {
		Map<DropReason, Long> counts = new EnumMap<>(DropReason.class);
		this.undelivered.forEach((reason, count) -> counts.put(reason, count.sum()));
		return counts;
	}

	@Override
	public void destroy() {
		this.timer.shutdownNow();
		this.drainExecutor.shutdown();
	}

	private static CustomizableThreadFactory daemonThreads(String prefix) {
		CustomizableThreadFactory threadFactory = new CustomizableThreadFactory(prefix);
		threadFactory.setDaemon(true);
		return threadFactory;
	}

	private final class Events implements DrainingSessionListener {

		@Override
		public void messagesDropped(DrainingWebSocketSession session, DropReason reason, long count) {
			if (reason != DropReason.DRAIN_TIMEOUT) {
				dropWarnings.warn(() -> "WebSocket session " + session.getId() + ": " + count
						+ " accepted message(s) dropped (" + reason.tagValue() + "); " + session.getDroppedMessages()
						+ " dropped on this session in all");
			}
			listeners.forEach((listener) -> listener.messagesDropped(session, reason, count));
		}

		@Override
		public void sessionClosed(DrainingWebSocketSession session, CloseResult result) {
			sessions.remove(session);
			if (result.drainTimedOut()) {
				timeoutWarnings.warn(() -> "WebSocket session " + result.sessionId() + ": drain timed out after "
						+ result.duration().toMillis() + " ms; " + result.flushed() + " message(s) flushed, "
						+ result.dropped() + " dropped; closing with " + result.status());
			}
			else if (logger.isDebugEnabled()) {
				logger.debug("WebSocket session " + result.sessionId() + " closed: " + result);
			}
			listeners.forEach((listener) -> listener.sessionClosed(session, result));
		}

	}

}

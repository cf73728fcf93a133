package io.github.wsdrain.server;

import io.github.wsdrain.session.BarrierPings;
import io.github.wsdrain.session.CloseResult;
import io.github.wsdrain.session.DrainSettings;
import io.github.wsdrain.session.DrainingSessionListener;
import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.session.DropReason;
import io.github.wsdrain.session.SendTotals;
import io.github.wsdrain.session.UnsentMessages;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.wsdrain.support.RateLimitedLog;

import org.springframework.beans.factory.DisposableBean;
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

	private final ServerThreads threads;

	/** Whether {@link #threads} were created here, and so are stopped here. */
	private final boolean ownsThreads;

	private final DrainingSessionListener events = new Events();

	private final SendTotals totals = new SendTotals();

	private final BarrierPings barrierPings;

	private final HandshakeGate handshakeGate = new HandshakeGate();

	private final RateLimitedLog dropWarnings = new RateLimitedLog(logger, WARN_INTERVAL);

	private final RateLimitedLog timeoutWarnings = new RateLimitedLog(logger, WARN_INTERVAL);

	private final RateLimitedLog undeliveredWarnings = new RateLimitedLog(logger, WARN_INTERVAL);

	private final RateLimitedLog writeTimeoutWarnings = new RateLimitedLog(logger, WARN_INTERVAL);

	private final LongAdder writeTimeouts = new LongAdder();

	private final WriteWatchdog writeWatchdog;

	private final Map<DropReason, LongAdder> undelivered = new ConcurrentHashMap<>();

	/**
	 * Create a registry with threads of its own, stopped when it is destroyed.
	 * @param settings the settings of every session
	 * @param listeners told of drops and closes
	 */
	public DrainingSessionRegistry(DrainSettings settings, List<DrainingSessionListener> listeners) {
		this(settings, listeners, new ServerThreads(), true);
	}

	/**
	 * Create a registry whose sessions run their drains on the given threads.
	 * @param settings the settings of every session
	 * @param listeners told of drops and closes
	 * @param threads the server's threads, stopped by their owner
	 */
	public DrainingSessionRegistry(DrainSettings settings, List<DrainingSessionListener> listeners,
			ServerThreads threads) {
		this(settings, listeners, threads, false);
	}

	private DrainingSessionRegistry(DrainSettings settings, List<DrainingSessionListener> listeners,
			ServerThreads threads, boolean ownsThreads) {
		this.settings = settings;
		this.listeners = List.copyOf(listeners);
		this.threads = threads;
		this.ownsThreads = ownsThreads;
		this.barrierPings = new BarrierPings(threads.executor(), threads.timer());
		this.writeWatchdog = new WriteWatchdog(this.sessions, settings.writeCheckInterval(), threads.timer());
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
	 * first use as a session whose unsent messages are {@linkplain UnsentMessages#DROPPED
	 * dropped}.
	 * @param session the session the container created
	 * @return its draining session
	 */
	public DrainingWebSocketSession drainingSession(WebSocketSession session) {
		return drainingSession(session, UnsentMessages.DROPPED);
	}

	/**
	 * Return the draining session for a container session, creating and registering it on
	 * first use.
	 * @param session the session the container created
	 * @param unsent what becomes of the messages a new session fails to write
	 * @return its draining session
	 */
	public DrainingWebSocketSession drainingSession(WebSocketSession session, UnsentMessages unsent) {
		if (session instanceof DrainingWebSocketSession draining) {
			return draining;
		}
		Object existing = session.getAttributes().get(SESSION_ATTRIBUTE);
		if (existing instanceof DrainingWebSocketSession draining) {
			return draining;
		}
		DrainingWebSocketSession draining = new DrainingWebSocketSession(session, this.settings, unsent,
				this.threads.executor(), this.threads.timer(), this.events, this.totals, this.barrierPings);
		session.getAttributes().put(SESSION_ATTRIBUTE, draining);
		this.sessions.add(draining);
		return draining;
	}

	/**
	 * Return the draining session for a container session, as
	 * {@link #drainingSession(WebSocketSession, UnsentMessages)} does, and remember the
	 * handler that serves it.
	 * @param session the session the container created
	 * @param unsent what becomes of the messages a new session fails to write
	 * @param handler the handler of the endpoint the session belongs to
	 * @return its draining session
	 */
	public DrainingWebSocketSession drainingSession(WebSocketSession session, UnsentMessages unsent,
			WebSocketHandler handler) {
		DrainingWebSocketSession draining = drainingSession(session, unsent);
		draining.getAttributes().putIfAbsent(HANDLER_ATTRIBUTE, handler);
		return draining;
	}

	/**
	 * Return the handler of the endpoint a session belongs to.
	 * @param session a draining session
	 * @return the handler given to {@link #drainingSession(WebSocketSession, UnsentMessages, WebSocketHandler)},
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
	 * Return the threads the sessions of this registry drain on.
	 * @return the server's threads
	 */
	public ServerThreads getThreads() {
		return this.threads;
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

	/**
	 * Return how many sessions were ended because a write to the peer ran past the send
	 * time limit, since start.
	 * @return the count
	 */
	public long getWriteTimeouts() {
		return this.writeTimeouts.sum();
	}

	@Override
	public void destroy() {
		this.writeWatchdog.close();
		if (this.ownsThreads) {
			this.threads.close();
		}
	}

	private final class Events implements DrainingSessionListener {

		@Override
		public void messagesDropped(DrainingWebSocketSession session, DropReason reason, long count) {
			// A drain or write timeout has a warning of its own.
			if (reason != DropReason.DRAIN_TIMEOUT && reason != DropReason.WRITE_TIMEOUT) {
				dropWarnings.warn(() -> "WebSocket session " + session.getId() + ": " + count
						+ " accepted message(s) dropped (" + reason.tagValue() + "); " + session.getDroppedMessages()
						+ " dropped on this session in all");
			}
			listeners.forEach((listener) -> listener.messagesDropped(session, reason, count));
		}

		@Override
		public void writeTimedOut(DrainingWebSocketSession session, long writeBytes, Duration writeTime) {
			writeTimeouts.increment();
			writeTimeoutWarnings.warn(() -> "WebSocket session " + session.getId() + ": a write of " + writeBytes
					+ " bytes to the peer took " + writeTime.toMillis() + " ms, past the send time limit of "
					+ settings.sendTimeLimit().toMillis() + " ms; closing with 1011 and cutting the connection, "
					+ session.getDroppedMessages() + " message(s) dropped on this session so far");
			listeners.forEach((listener) -> listener.writeTimedOut(session, writeBytes, writeTime));
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

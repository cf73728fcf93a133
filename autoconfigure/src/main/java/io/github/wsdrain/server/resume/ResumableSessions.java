package io.github.wsdrain.server.resume;

import java.security.Principal;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;

import io.github.wsdrain.protocol.ProtocolViolationException;
import io.github.wsdrain.protocol.ReplayBudget;
import io.github.wsdrain.protocol.ReplayCapacity;
import io.github.wsdrain.session.DrainingWebSocketSession;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ConcurrentTaskScheduler;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;

/**
 * Every {@code wsdrain.v1} session of the application, by resume token: opens a new
 * session or resumes a lost one for each connection that negotiated the protocol.
 */
public class ResumableSessions implements DisposableBean {

	private static final Log logger = LogFactory.getLog(ResumableSessions.class);

	static final String SESSION_ATTRIBUTE = ResumableSession.class.getName();

	public static final String TOKEN_PARAMETER = "wsdrain-token";

	public static final String LAST_PARAMETER = "wsdrain-last";

	/** 128 bits: not guessable within any window. */
	private static final int TOKEN_BYTES = 16;

	/** Move notices kept for sessions not registered yet: far more than claims under way at once. */
	private static final int MOVE_NOTICES = 1024;

	private final ResumeSettings settings;

	private final ResumeEvents events;

	private final DetachedSessions detached;

	private final SecureRandom random = new SecureRandom();

	private final Map<String, ResumableSession> byToken = new ConcurrentHashMap<>();

	/** Where sessions outlive this node; {@link ResumeStore#MEMORY} keeps them here only. */
	private final ResumeStore store;

	/** This node's sessions in a shared store, by their id there: the store says when one moved away. */
	private final Map<String, ResumableSession> byJournal = new ConcurrentHashMap<>();

	/**
	 * Move notices, by journal id, that may have come before their session was registered
	 * here (a claim still under way when its client moved on): the most recent only.
	 */
	private final Map<String, Long> moveNotices = Collections.synchronizedMap(new LinkedHashMap<>() {

		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
			return size() > MOVE_NOTICES;
		}

	});

	private final StoreResumes storeResumes;

	private final ScheduledExecutorService timer;

	/** The timer as the acknowledgement scheduler sees it. */
	private final TaskScheduler ackTimer;

	/** Acknowledgements and closes write to a peer that may be slow: never on the timer. */
	private final Executor writers;

	/** Threads created here, and so stopped here; {@code null} when the server's are used. */
	private final @Nullable ExecutorService ownWriters;

	private final Heartbeat heartbeat;

	/** What all sessions' replay buffers share to grow beyond their base size. */
	private final ReplayBudget replayBudget;

	public ResumableSessions(ResumeSettings settings) {
		this(settings, List.of());
	}

	/**
	 * Create the sessions with threads of their own, stopped when destroyed.
	 * @param settings the resume settings
	 * @param listeners told of resume attempts
	 */
	public ResumableSessions(ResumeSettings settings, List<ResumeListener> listeners) {
		this(settings, DetachedSessionLimits.defaults(), listeners);
	}

	/**
	 * Create the sessions with threads of their own, stopped when destroyed.
	 * @param settings the resume settings
	 * @param limits the limits on sessions waiting for a resume
	 * @param listeners told of resume attempts
	 */
	public ResumableSessions(ResumeSettings settings, DetachedSessionLimits limits, List<ResumeListener> listeners) {
		this(settings, limits, listeners,
				Executors.newSingleThreadScheduledExecutor(daemonThreads("wsdrain-resume-timer-")),
				Executors.newCachedThreadPool(daemonThreads("wsdrain-resume-")), true);
	}

	/**
	 * Create the sessions on the server's threads, stopped by their owner.
	 * @param settings the resume settings
	 * @param limits the limits on sessions waiting for a resume
	 * @param listeners told of resume attempts
	 * @param timer fires resume windows, ack timeouts and heartbeats; nothing that blocks runs on it
	 * @param writers runs acknowledgements and closes, which may block on the peer
	 */
	public ResumableSessions(ResumeSettings settings, DetachedSessionLimits limits, List<ResumeListener> listeners,
			ScheduledExecutorService timer, Executor writers) {
		this(settings, limits, listeners, timer, writers, ResumeStore.MEMORY);
	}

	/**
	 * Create the sessions on the server's threads, kept in a store as well.
	 * @param settings the resume settings
	 * @param limits the limits on sessions waiting for a resume
	 * @param listeners told of resume attempts
	 * @param timer fires resume windows, ack timeouts and heartbeats; nothing that blocks runs on it
	 * @param writers runs acknowledgements, closes and resumes through the store, which may block
	 * @param store where sessions outlive this node, so that a client can resume on another
	 */
	public ResumableSessions(ResumeSettings settings, DetachedSessionLimits limits, List<ResumeListener> listeners,
			ScheduledExecutorService timer, Executor writers, ResumeStore store) {
		this(settings, limits, listeners, timer, writers, false, store);
	}

	private ResumableSessions(ResumeSettings settings, DetachedSessionLimits limits, List<ResumeListener> listeners,
			ScheduledExecutorService timer, Executor writers, boolean ownsThreads) {
		this(settings, limits, listeners, timer, writers, ownsThreads, ResumeStore.MEMORY);
	}

	private ResumableSessions(ResumeSettings settings, DetachedSessionLimits limits, List<ResumeListener> listeners,
			ScheduledExecutorService timer, Executor writers, boolean ownsThreads, ResumeStore store) {
		this.store = store;
		this.storeResumes = new StoreResumes(this, store);
		store.onMovedAway(this::movedAway);
		this.settings = settings;
		this.detached = new DetachedSessions(limits);
		this.events = new ResumeEvents(listeners);
		this.timer = timer;
		this.writers = writers;
		this.ownWriters = (ownsThreads && writers instanceof ExecutorService service) ? service : null;
		this.ackTimer = new ConcurrentTaskScheduler(this.timer);
		this.heartbeat = Heartbeat.start(settings.heartbeat(), this::getSessions, this.timer, this.writers);
		this.replayBudget = new ReplayBudget(settings.sharedBufferSize().toBytes());
	}

	public ResumeSettings getSettings() {
		return this.settings;
	}

	/**
	 * Return the bytes all sessions' replay buffers share to grow beyond their base size.
	 * @return the shared budget, its capacity and what is in use
	 */
	public ReplayBudget getReplayBudget() {
		return this.replayBudget;
	}

	/** A new session's replay buffer capacity: the maximum on a live connection, the base size without one; beyond the base size from the shared budget. */
	ReplayCapacity newReplayCapacity() {
		return ReplayCapacity.adaptive(this.settings.bufferSize().toBytes(), this.settings.maxBufferSize().toBytes(),
				this.replayBudget);
	}

	/**
	 * Return the limits on sessions waiting for a resume.
	 * @return the detached session limits
	 */
	public DetachedSessionLimits getDetachedLimits() {
		return this.detached.limits();
	}

	/**
	 * Return how many sessions lost their connection and wait for a resume, as counted
	 * against the detached limits.
	 * @return the detached session count
	 */
	public int getDetachedSessionCount() {
		return this.detached.count();
	}

	/**
	 * Return the bytes the sessions waiting for a resume hold, as counted against the
	 * detached limits: their replay buffers and a fixed cost per session.
	 * @return the detached bytes
	 */
	public long getDetachedBytes() {
		return this.detached.bytes();
	}

	/**
	 * Return how many sessions can currently be resumed, connected or not.
	 * @return the session count
	 */
	public int size() {
		return getSessions().size();
	}

	/**
	 * Return the sessions that can currently be resumed, connected or not: those the app
	 * has not seen close.
	 * @return a snapshot of the sessions
	 */
	public Collection<ResumableSession> getSessions() {
		// Until a resumed connection is confirmed, its session is here under two tokens.
		return this.byToken.values().stream().distinct().toList();
	}

	/**
	 * Return the session a connection that negotiated {@code wsdrain.v1} carries.
	 * @param connection a connection of this application
	 * @return the session, or {@code null} if the connection carries none
	 */
	public @Nullable ResumableSession sessionOf(WebSocketSession connection) {
		return (ResumableSession) connection.getAttributes().get(SESSION_ATTRIBUTE);
	}

	/**
	 * Start a session on a connection that negotiated {@code wsdrain.v1}: resume the one
	 * named by the connection's token if it may be, else a new one, which the app's
	 * handler is told about.
	 */
	void connectionEstablished(DrainingWebSocketSession connection, WebSocketHandler handler) throws Exception {
		ResumeRequest request = ResumeRequest.of(Objects.requireNonNull(connection.getUri()));
		if (request != null) {
			String token = request.token();
			long last;
			try {
				last = request.last();
			}
			catch (ProtocolViolationException ex) {
				// Counted first: whoever sees the close also sees the count.
				this.events.resumeAttempted(connection, ResumeOutcome.REJECTED, ex.getStatus());
				connection.close(ex.getStatus());
				return;
			}
			if (this.store.isShared()) {
				// The store may be slow or down: never on a container thread.
				this.writers.execute(() -> this.storeResumes.resume(token, connection, handler, last));
				return;
			}
			ResumableSession resumed = claim(token, connection, handler);
			if (resumed != null) {
				// The replay may be megabytes for a slow peer: written on the server's writers,
				// never on a container thread. The client sends nothing before the session frame.
				this.writers.execute(() -> resume(resumed, connection, last));
				return;
			}
			// Expired, reused, forged or another user's: all look the same to the client,
			// which learns from the 'n' of the session frame that it must resynchronise.
			this.events.resumeAttempted(connection, ResumeOutcome.NOT_RECOVERED, null);
		}
		open(connection, handler);
	}

	/** A new session, recorded in the store first: without the store it cannot be resumed, so it is refused. */
	void open(DrainingWebSocketSession connection, WebSocketHandler handler) throws Exception {
		SessionJournal journal = SessionJournal.NONE;
		ResumableSession session;
		try {
			if (this.store.isShared()) {
				ResumeScope scope = ResumeScope.of(handler, connection.getUri(), connection.getPrincipal());
				journal = this.store.open(new ResumeStore.SessionKey(scope.principalName(), String.valueOf(scope.path())));
			}
			session = new ResumableSession(connection, handler, this, journal, null, 0);
			registered(session);
			session.start(connection);
		}
		catch (ResumeStoreException ex) {
			storeFailed(connection, ex);
			journal.ended(CloseStatus.SERVER_ERROR, false);
			return;
		}
		handler.afterConnectionEstablished(session);
	}

	/** The store failed a new session or a resume: the client tries again, later or elsewhere. */
	void storeFailed(DrainingWebSocketSession connection, ResumeStoreException ex) {
		this.events.storeFailed(connection, ex);
		connection.close(CloseStatus.SERVER_ERROR.withReason("Resume store unavailable"));
	}

	/** A session with a record in a shared store: the store may tell that it moved away. */
	void registered(ResumableSession session) {
		String id = session.journal().id();
		if (!id.isEmpty()) {
			// Registered, then checked; a notice is kept, then checked: one of them sees the other.
			ResumableSession previous = this.byJournal.put(id, session);
			if (previous != null && previous != session) {
				// A copy from this node's earlier turn that no notice reaches: the store tells only other nodes.
				movedAway(previous, session.journal().epoch());
			}
			Long noticed = this.moveNotices.remove(id);
			if (noticed != null) {
				movedAway(session, noticed);
			}
		}
	}

	/**
	 * The copy of a session with a record in a shared store that this node holds, if any.
	 * @param journalId the id of the session's record
	 * @return the copy registered last, or {@code null}
	 */
	@Nullable ResumableSession heldCopy(String journalId) {
		return this.byJournal.get(journalId);
	}

	/** A session ended here: the store's notices no longer concern it. */
	void journalReleased(ResumableSession session) {
		this.byJournal.remove(session.journal().id(), session);
	}

	private void movedAway(String journalId, long epoch) {
		this.moveNotices.merge(journalId, epoch, Math::max);
		ResumableSession session = this.byJournal.get(journalId);
		if (session != null) {
			this.moveNotices.remove(journalId);
			movedAway(session, epoch);
		}
	}

	private void movedAway(ResumableSession session, long epoch) {
		if (session.journal().epoch() < epoch) {
			try {
				this.writers.execute(session::movedAway);
			}
			catch (RejectedExecutionException ex) {
				// Stopping: the session ends anyway.
			}
		}
	}

	void resume(ResumableSession session, DrainingWebSocketSession connection, long last) {
		try {
			this.events.resumeAttempted(connection,
					session.resume(connection, last) ? ResumeOutcome.RESUMED : ResumeOutcome.NOT_RECOVERED, null);
		}
		catch (ProtocolViolationException ex) {
			// Only the new connection closes: its owner's connection, tokens and session stay as they were.
			// Counted first: whoever sees the close also sees the count.
			this.events.resumeAttempted(connection, ResumeOutcome.REJECTED, ex.getStatus());
			connection.close(ex.getStatus());
		}
	}

	/**
	 * The session a token resumes, if the claimant is its owner and came through the
	 * endpoint that issued the token. The token is not used up here but when the client
	 * confirms the connection that used it: a client whose attempt was cut before it saw
	 * the session frame retries with the same token, perhaps while the server is still
	 * attaching the first attempt.
	 */
	@Nullable ResumableSession claim(String token, DrainingWebSocketSession claimant, WebSocketHandler handler) {
		ResumableSession session = this.byToken.get(token);
		if (session == null || !session.admits(claimant.getPrincipal(), claimant.getUri(), handler)) {
			return null;
		}
		return session;
	}

	/** A session lost its connection: count it, and end the oldest past a limit. Called under its state lock. */
	void sessionDetached(ResumableSession session) {
		evict(this.detached.detached(session));
	}

	/** The app sent to a detached session: count what it holds now. */
	void detachedSessionGrew(ResumableSession session) {
		evict(this.detached.resized(session));
	}

	/** A session was resumed or ended: it no longer counts as detached. */
	void detachedSessionReleased(ResumableSession session) {
		this.detached.released(session);
	}

	/**
	 * End the chosen sessions off the caller's thread, which may hold a session's lock or
	 * be the app's sender; they no longer count as detached already.
	 */
	private void evict(List<DetachedSessions.Eviction> evictions) {
		for (DetachedSessions.Eviction eviction : evictions) {
			ResumableSession session = eviction.session();
			this.events.evicted(eviction);
			try {
				this.writers.execute(session::evict);
			}
			catch (RejectedExecutionException ex) {
				// Stopping: every session is being ended anyway.
				logger.debug("WebSocket session " + session.getId() + ": eviction not run, stopping");
			}
		}
	}

	String issueToken(ResumableSession session) {
		byte[] bytes = new byte[TOKEN_BYTES];
		this.random.nextBytes(bytes);
		String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
		this.byToken.put(token, session);
		return token;
	}

	void forget(String token) {
		this.byToken.remove(token);
	}

	/** Where resumes, evictions and store failures are told to the listeners and the log. */
	ResumeEvents events() {
		return this.events;
	}

	ScheduledExecutorService timer() {
		return this.timer;
	}

	TaskScheduler ackTimer() {
		return this.ackTimer;
	}

	Executor writers() {
		return this.writers;
	}

	/**
	 * End every session still kept, so that the app's handler sees one close for each
	 * session even when the resume window has not passed.
	 */
	@Override
	public void destroy() {
		this.heartbeat.stop();
		getSessions().forEach(ResumableSession::shutDown);
		if (this.ownWriters != null) {
			this.timer.shutdownNow();
			this.ownWriters.shutdown();
		}
	}

	private static CustomizableThreadFactory daemonThreads(String prefix) {
		CustomizableThreadFactory threadFactory = new CustomizableThreadFactory(prefix);
		threadFactory.setDaemon(true);
		return threadFactory;
	}

}

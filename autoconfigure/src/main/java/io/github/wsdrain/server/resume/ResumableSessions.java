package io.github.wsdrain.server.resume;

import java.security.Principal;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.github.wsdrain.protocol.FrameCodec;
import io.github.wsdrain.protocol.ProtocolViolationException;
import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.support.RateLimitedLog;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ConcurrentTaskScheduler;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.util.MultiValueMap;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.util.UriComponentsBuilder;

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

	/** At most one WARN line per kind of failed resume in this interval. */
	private static final Duration WARN_INTERVAL = Duration.ofSeconds(10);

	private final ResumeSettings settings;

	private final List<ResumeListener> listeners;

	private final RateLimitedLog notRecoveredWarnings = new RateLimitedLog(logger, WARN_INTERVAL);

	private final RateLimitedLog rejectedWarnings = new RateLimitedLog(logger, WARN_INTERVAL);

	private final SecureRandom random = new SecureRandom();

	private final Map<String, ResumableSession> byToken = new ConcurrentHashMap<>();

	private final ScheduledExecutorService timer;

	/** The timer as the acknowledgement scheduler sees it. */
	private final TaskScheduler ackTimer;

	/** Acknowledgements and closes write to a peer that may be slow: never on the timer. */
	private final ExecutorService writers;

	public ResumableSessions(ResumeSettings settings) {
		this(settings, List.of());
	}

	public ResumableSessions(ResumeSettings settings, List<ResumeListener> listeners) {
		this.settings = settings;
		this.listeners = List.copyOf(listeners);
		this.timer = Executors.newSingleThreadScheduledExecutor(daemonThreads("wsdrain-resume-timer-"));
		this.writers = Executors.newCachedThreadPool(daemonThreads("wsdrain-resume-"));
		this.ackTimer = new ConcurrentTaskScheduler(this.timer);
	}

	public ResumeSettings getSettings() {
		return this.settings;
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
		MultiValueMap<String, String> query = UriComponentsBuilder.fromUri(Objects.requireNonNull(connection.getUri()))
			.build()
			.getQueryParams();
		String token = query.getFirst(TOKEN_PARAMETER);
		if (token != null) {
			String lastParameter = String.valueOf(query.getFirst(LAST_PARAMETER));
			long last;
			try {
				last = FrameCodec.parseSeq(lastParameter, 0, lastParameter.length());
			}
			catch (ProtocolViolationException ex) {
				connection.close(ex.getStatus());
				resumeAttempted(connection, ResumeOutcome.REJECTED, ex.getStatus());
				return;
			}
			ResumableSession resumed = claim(token, connection.getPrincipal());
			if (resumed != null) {
				resume(resumed, connection, last);
				return;
			}
			// Expired, reused, forged or another user's: all look the same to the client,
			// which learns from the 'n' of the session frame that it must resynchronise.
			resumeAttempted(connection, ResumeOutcome.NOT_RECOVERED, null);
		}
		ResumableSession session = new ResumableSession(connection, handler, this);
		session.start(connection);
		handler.afterConnectionEstablished(session);
	}

	private void resume(ResumableSession session, DrainingWebSocketSession connection, long last) {
		try {
			resumeAttempted(connection,
					session.resume(connection, last) ? ResumeOutcome.RESUMED : ResumeOutcome.NOT_RECOVERED, null);
		}
		catch (ProtocolViolationException ex) {
			// The session has closed the connection, and itself.
			resumeAttempted(connection, ResumeOutcome.REJECTED, ex.getStatus());
		}
	}

	/**
	 * Tell the listeners, and the log: failures at WARN, at most one line per interval and
	 * kind since a network blip makes every client resume at once, and each at DEBUG.
	 */
	private void resumeAttempted(DrainingWebSocketSession connection, ResumeOutcome outcome,
			@Nullable CloseStatus status) {
		this.listeners.forEach((listener) -> listener.resumeAttempted(outcome));
		if (outcome == ResumeOutcome.RESUMED) {
			// ResumableSession logs the resume, with its replay, at DEBUG.
			return;
		}
		String line = "WebSocket connection " + connection.getId() + ": resume " + outcome.tagValue()
				+ ((status != null) ? ", closed with " + status
						: " (token unknown, expired, used up or another user's, or its session just ended)");
		RateLimitedLog warnings = (outcome == ResumeOutcome.REJECTED) ? this.rejectedWarnings
				: this.notRecoveredWarnings;
		warnings.warn(() -> line);
		logger.debug(line);
	}

	/**
	 * The session a token resumes, if the claimant is its owner. The token is not used up
	 * here but when the client confirms the connection that used it: a client whose
	 * attempt was cut before it saw the session frame retries with the same token, perhaps
	 * while the server is still attaching the first attempt.
	 */
	private @Nullable ResumableSession claim(String token, @Nullable Principal principal) {
		ResumableSession session = this.byToken.get(token);
		if (session == null || !session.belongsTo(principal)) {
			return null;
		}
		return session;
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

	ScheduledExecutorService timer() {
		return this.timer;
	}

	TaskScheduler ackTimer() {
		return this.ackTimer;
	}

	ExecutorService writers() {
		return this.writers;
	}

	/**
	 * End every session still kept, so that the app's handler sees one close for each
	 * session even when the resume window has not passed.
	 */
	@Override
	public void destroy() {
		getSessions().forEach(ResumableSession::shutDown);
		this.timer.shutdownNow();
		this.writers.shutdown();
	}

	private static CustomizableThreadFactory daemonThreads(String prefix) {
		CustomizableThreadFactory threadFactory = new CustomizableThreadFactory(prefix);
		threadFactory.setDaemon(true);
		return threadFactory;
	}

}

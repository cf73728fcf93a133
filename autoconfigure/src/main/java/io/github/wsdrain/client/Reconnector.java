package io.github.wsdrain.client;

import java.net.URI;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.wsdrain.protocol.Frame;
import io.github.wsdrain.protocol.FrameCodec;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Opens the transport connections of a {@link ReliableConnection}: the first, and after
 * a loss one attempt at a time, spaced by the settings' back-off, while the server's
 * resume window lasts. Each resume offers the token and the last sequence number taken
 * (PROTOCOL.md §1, §4).
 */
final class Reconnector {

	private static final Log logger = LogFactory.getLog(Reconnector.class);

	private final ReliableConnection connection;

	private final URI uri;

	private final @Nullable WebSocketHttpHeaders headers;

	private final ConnectionSettings settings;

	private final Transports transports;

	private final TaskScheduler scheduler;

	private final Executor executor;

	// ---- guarded by this: one loss's attempts

	private @Nullable BackOffExecution backOff;

	private int attempt;

	private long lostNanos;

	/** Whether an attempt is scheduled or running: one at a time. */
	private boolean pending;

	Reconnector(ReliableConnection connection, URI uri, @Nullable WebSocketHttpHeaders headers,
			ConnectionSettings settings, Transports transports, TaskScheduler scheduler,
			Executor executor) {
		this.connection = connection;
		this.uri = uri;
		this.headers = headers;
		this.settings = settings;
		this.transports = transports;
		this.scheduler = scheduler;
		this.executor = executor;
	}

	/**
	 * Open the first connection and wait for its session frame. A server that cannot be
	 * reached yet (refused, unreachable, a handshake answered 503 during a drain) is
	 * tried again with the reconnect back-off while the connect timeout lasts: the state
	 * stays CONNECTING.
	 * @throws WebSocketConnectException if the server cannot be reached within the connect
	 * timeout or does not speak {@code wsdrain.v1}
	 */
	void connect() {
		long start = System.nanoTime();
		long deadline = start + this.settings.connectTimeout().toNanos();
		BackOffExecution retries = this.settings.reconnectBackOff().start();
		for (int attempt = 1;; attempt++) {
			SessionLink link = new SessionLink(this.connection, false);
			TransportConnection transport;
			try {
				transport = this.transports.open(this.uri, headers(), link);
			}
			catch (WebSocketConnectException ex) {
				long delay = retries.nextBackOff();
				if (delay == BackOffExecution.STOP
						|| System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay) >= deadline) {
					throw new WebSocketConnectException("Could not open a reliable connection to " + this.uri + " in "
							+ TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms (" + attempt
							+ " attempt(s)): " + ex.getMessage(), ex);
				}
				logger.debug("Connect attempt " + attempt + " to " + this.uri + " failed: " + ex.getMessage()
						+ "; next in " + delay + " ms");
				pause(delay);
				continue;
			}
			start(transport, link);
			return;
		}
	}

	/** The first connection is open: check it speaks the protocol, then go live. */
	private void start(TransportConnection transport, SessionLink link) {
		try {
			String accepted = transport.getSession().getAcceptedProtocol();
			if (!FrameCodec.PROTOCOL.equals(accepted)) {
				throw new WebSocketConnectException("Could not open a reliable connection to " + this.uri
						+ ": the server did not accept the " + FrameCodec.PROTOCOL + " sub-protocol (it selected "
						+ ((accepted == null || accepted.isEmpty()) ? "none" : accepted)
						+ "); is wsdrain.server.resume.enabled true there?", null);
			}
			Frame.Session session = awaitSessionFrame(link);
			if (!this.connection.goLive(transport, session)) {
				throw new WebSocketConnectException("Could not open a reliable connection to " + this.uri
						+ ": the connection ended right after it opened", null);
			}
		}
		catch (RuntimeException ex) {
			transport.close(CloseStatus.GOING_AWAY);
			throw ex;
		}
	}

	/** The caller of connect() waits for the next attempt: it is waiting for the connection anyway. */
	private void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new WebSocketConnectException("Interrupted while connecting to " + this.uri, ex);
		}
	}

	private Frame.Session awaitSessionFrame(SessionLink link) {
		long timeout = this.settings.connectTimeout().toNanos();
		try {
			return link.session.get(timeout, TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			throw new WebSocketConnectException("Could not open a reliable connection to " + this.uri + ": "
					+ ex.getCause().getMessage(), ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new WebSocketConnectException("Could not open a reliable connection to " + this.uri
					+ ": no session frame within " + TimeUnit.NANOSECONDS.toMillis(timeout) + " ms", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new WebSocketConnectException("Interrupted while connecting to " + this.uri, ex);
		}
	}

	/** The connection was lost: start over with the back-off, unless an attempt is under way. */
	synchronized void lost() {
		this.backOff = this.settings.reconnectBackOff().start();
		this.attempt = 0;
		this.lostNanos = System.nanoTime();
		if (!this.pending) {
			scheduleNext();
		}
	}

	/** Call holding this object's lock. */
	private void scheduleNext() {
		this.pending = true;
		this.attempt++;
		long delay = (this.backOff != null) ? this.backOff.nextBackOff() : BackOffExecution.STOP;
		long away = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.lostNanos);
		if (delay == BackOffExecution.STOP || away >= this.connection.windowMillis()) {
			String reason = "Gave up reconnecting after " + (this.attempt - 1) + " attempt(s) in " + away + " ms";
			run(() -> this.connection.end(new ConnectionClosedException(1006, reason, false)));
			return;
		}
		try {
			this.scheduler.schedule(this::attempt, Instant.now().plusMillis(delay));
		}
		catch (RejectedExecutionException ex) {
			giveUpStopped();
		}
	}

	private void attempt() {
		int number;
		synchronized (this) {
			number = this.attempt;
		}
		try {
			tryToResume(number);
		}
		finally {
			synchronized (this) {
				this.pending = false;
				if (this.connection.needsAttempt()) {
					// Failed, or the connection it opened was lost already: the next one.
					scheduleNext();
				}
			}
		}
	}

	private void tryToResume(int number) {
		Resume resume = this.connection.resumeParameters();
		if (resume == null) {
			return;
		}
		SessionLink link = new SessionLink(this.connection, true);
		TransportConnection transport = null;
		try {
			transport = this.transports.open(resumeUri(resume), headers(), link);
			Frame.Session session = link.session.get(this.settings.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
			if (!session.resumed()) {
				this.connection.notRecovered();
				// The server opened a new session for this connection: end it.
				transport.close(CloseStatus.NORMAL);
				return;
			}
			if (this.connection.goLive(transport, session)) {
				this.connection.resumed(number);
			}
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof ConnectionClosedException end && end.isCloseFrameReceived()) {
				// The session had ended (its close frame was lost with the connection, or the
				// server drained it), or the server refused the resume: a close frame in place
				// of the session frame says so.
				logger.debug("Resume of the session to " + this.uri + " answered with " + end.getCloseStatus());
				this.connection.end(end);
				return;
			}
			attemptFailed(number, transport, ex);
		}
		catch (WebSocketConnectException | TimeoutException ex) {
			attemptFailed(number, transport, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void attemptFailed(int number, @Nullable TransportConnection transport, Exception ex) {
		logger.debug("Reconnect attempt " + number + " to " + this.uri + " failed: " + ex.getMessage());
		if (transport != null) {
			transport.close(CloseStatus.GOING_AWAY);
		}
	}

	/** The client is closing: no thread is left to reconnect with. */
	private void giveUpStopped() {
		this.connection.end(new ConnectionClosedException(1006, "Gave up reconnecting: the client is closed", false));
	}

	private void run(Runnable task) {
		try {
			this.executor.execute(task);
		}
		catch (RejectedExecutionException ex) {
			giveUpStopped();
		}
	}

	private URI resumeUri(Resume resume) {
		return UriComponentsBuilder.fromUri(this.uri)
			.replaceQueryParam("wsdrain-token", resume.token())
			.replaceQueryParam("wsdrain-last", resume.last())
			.build(true)
			.toUri();
	}

	private WebSocketHttpHeaders headers() {
		WebSocketHttpHeaders linkHeaders = new WebSocketHttpHeaders();
		if (this.headers != null) {
			linkHeaders.putAll(this.headers);
		}
		linkHeaders.setSecWebSocketProtocol(FrameCodec.PROTOCOL);
		return linkHeaders;
	}

	/** Opens transport connections for the reliable connection, with its settings. */
	@FunctionalInterface
	interface Transports {

		/**
		 * Open one transport connection and wait for the opening handshake.
		 * @throws WebSocketConnectException if it cannot be opened
		 */
		TransportConnection open(URI uri, WebSocketHttpHeaders headers, TransportConnection.Listener listener);

	}

	/**
	 * What a resume offers the server.
	 * @param token the token from the last session frame
	 * @param last the highest sequence number the consumer has taken
	 */
	record Resume(String token, long last) {
	}

}

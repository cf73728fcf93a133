package io.github.wsdrain.server.resume;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.github.wsdrain.protocol.AckScheduler;
import io.github.wsdrain.protocol.FrameCodec;
import io.github.wsdrain.protocol.OutboundStream;
import io.github.wsdrain.protocol.ProtocolViolationException;
import io.github.wsdrain.session.CloseResult;
import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.session.SessionClosingException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;

/**
 * The {@link ResumableState state} of a {@link ResumableSession} and the connection it
 * holds, changed under one lock: attaching a new or resumed connection, losing it,
 * closing, and the end of the session, which the app's handler and the close future
 * are told of once.
 */
final class SessionLifecycle {

	/** The category users already configure for resumable sessions. */
	private static final Log logger = LogFactory.getLog(ResumableSession.class);

	/** How the connection of a session that moved or was handed over is closed: a lost connection to its client. */
	private static final CloseStatus GONE_ELSEWHERE = CloseStatus.GOING_AWAY.withReason("Session continues on another node");

	private final ResumableSession session;

	private final ResumableSessions sessions;

	private final ResumeSettings settings;

	private final WebSocketHandler handler;

	private final OutboundStream out;

	private final AckScheduler acks;

	private final ConnectionWriter writer;

	private final ResumeTokens tokens;

	private final JournalWriter journal;

	/** Guards the connection, the state and the expiry. */
	private final Object stateLock = new Object();

	private volatile @Nullable DrainingWebSocketSession connection;

	private volatile ResumableState state = ResumableState.OPEN;

	private @Nullable CloseStatus requestedStatus;

	private long closeRequestedNanos;

	private @Nullable ScheduledFuture<?> expiry;

	/** Address of the client's latest connection: the scope a detached session is counted in. */
	private volatile String clientAddress;

	/** When the current connection last delivered a frame: a half-open one has been quiet. */
	private volatile long lastInboundNanos = System.nanoTime();

	/** How the last connection was lost: what the app is told if the session is evicted. */
	private @Nullable CloseStatus lostStatus;

	/** Unacknowledged messages when the session ended, -1 before: the replay buffer is released then. */
	private volatile int unacknowledgedAtEnd = -1;

	/** Whether the app's handler was told of the session: a move whose connection failed never is. */
	private volatile boolean announced = true;

	private final CompletableFuture<Void> allAcknowledged = new CompletableFuture<>();

	private final CompletableFuture<CloseResult> closeFuture = new CompletableFuture<>();

	SessionLifecycle(ResumableSession session, DrainingWebSocketSession first, ResumableSessions sessions,
			WebSocketHandler handler, OutboundStream out, AckScheduler acks, ConnectionWriter writer,
			ResumeTokens tokens, JournalWriter journal) {
		this.session = session;
		this.sessions = sessions;
		this.settings = sessions.getSettings();
		this.handler = handler;
		this.out = out;
		this.acks = acks;
		this.writer = writer;
		this.tokens = tokens;
		this.journal = journal;
		this.clientAddress = addressOf(first);
	}

	ResumableState state() {
		return this.state;
	}

	@Nullable DrainingWebSocketSession connection() {
		return this.connection;
	}

	String clientAddress() {
		return this.clientAddress;
	}

	int unacknowledgedAtEnd() {
		return this.unacknowledgedAtEnd;
	}

	CompletableFuture<CloseResult> closeFuture() {
		return this.closeFuture;
	}

	/** A token another node issued moved the session here: used up once the client confirms. */
	void adoptToken(String token) {
		synchronized (this.stateLock) {
			this.tokens.adopt(token);
		}
	}

	/** A session that moved in: its handler is told once its connection is attached. */
	void unannounced() {
		this.announced = false;
	}

	/**
	 * The app is about to be told of the session that moved in.
	 * @return {@code false} if it ended meanwhile: the app is told nothing
	 */
	boolean announce() {
		synchronized (this.stateLock) {
			if (this.state.isOver()) {
				return false;
			}
			this.announced = true;
			return true;
		}
	}

	CompletableFuture<CloseResult> closeAsync(CloseStatus status) {
		DrainingWebSocketSession current;
		synchronized (this.stateLock) {
			if (this.state != ResumableState.OPEN) {
				return this.closeFuture;
			}
			this.state = ResumableState.CLOSING;
			this.requestedStatus = status;
			this.closeRequestedNanos = System.nanoTime();
			current = this.connection;
		}
		signalBuffer();
		if (current != null) {
			this.acks.flush();
		}
		// Connected or not: a client that is away may come back within the ack timeout.
		this.allAcknowledged.completeOnTimeout(null, this.settings.ackTimeout().toMillis(), TimeUnit.MILLISECONDS)
			.thenRunAsync(() -> closeConnection(status), this.sessions.writers());
		return this.closeFuture;
	}

	boolean attach(DrainingWebSocketSession next, boolean resumed) {
		next.getAttributes().put(ResumableSessions.SESSION_ATTRIBUTE, this.session);
		DrainingWebSocketSession stale = this.connection;
		if (stale != null && stale != next) {
			this.sessions.events().connectionReplaced(this.session, stale, System.nanoTime() - this.lastInboundNanos);
			// A half-open connection the server had not noticed yet: closing it first releases
			// a sender waiting on its queue, which holds the send lock the replay needs.
			stale.close(new CloseStatus(4000, "Replaced by a resumed connection"));
		}
		AtomicReference<@Nullable DrainingWebSocketSession> previous = new AtomicReference<>();
		AtomicReference<Boolean> opened = new AtomicReference<>(false);
		this.out.attach(this.writer.sinkOf(next), () -> {
			opened.set(open(next, resumed, previous));
			return opened.get();
		}, () -> true);
		if (!opened.get()) {
			return false;
		}
		DrainingWebSocketSession replaced = previous.get();
		if (replaced != null && replaced != next && replaced != stale) {
			replaced.close(new CloseStatus(4000, "Replaced by a resumed connection"));
		}
		if (resumed && logger.isDebugEnabled()) {
			logger.debug("WebSocket session " + this.session.getId() + " resumed on connection " + next.getId()
					+ ", replaying " + this.session.getUnacknowledgedMessages() + " message(s)");
		}
		return true;
	}

	/**
	 * Make the connection the session's and write its session frame, under the stream's
	 * send lock: the replay follows it.
	 * @return {@code false} if the session has ended
	 */
	private boolean open(DrainingWebSocketSession next, boolean resumed,
			AtomicReference<@Nullable DrainingWebSocketSession> previous) {
		String nextToken;
		synchronized (this.stateLock) {
			if (this.state == ResumableState.MOVED) {
				// Another node has it, or this node found it stale: the client's next attempt claims it afresh.
				next.close(GONE_ELSEWHERE);
				return false;
			}
			if (this.state == ResumableState.EVICTED) {
				// Its tokens are forgotten: the client's next attempt gets not recovered.
				next.close(CloseStatus.GOING_AWAY.withReason("Session evicted"));
				return false;
			}
			if (this.state == ResumableState.CLOSED) {
				// Only a session that ended complete keeps its tokens: repeat how it ended.
				next.close((this.requestedStatus != null) ? this.requestedStatus : CloseStatus.NORMAL);
				return false;
			}
			if (!next.isOpen()) {
				// Ended before its resume was attached: the container's report of it went unheard.
				return false;
			}
			try {
				nextToken = this.tokens.next();
			}
			catch (ResumeStoreException ex) {
				if (!resumed) {
					throw ex;
				}
				// The session stays as it was; its client tries again.
				next.close(CloseStatus.SERVER_ERROR.withReason("Resume store unavailable"));
				return false;
			}
			previous.set(this.connection);
			this.connection = next;
			this.clientAddress = addressOf(next);
			this.lastInboundNanos = System.nanoTime();
			this.sessions.detachedSessionReleased(this.session);
			this.out.detach();
			if (this.expiry != null) {
				this.expiry.cancel(false);
				this.expiry = null;
			}
		}
		// Possibly a little stale (a delivering thread may be ahead): the client then replays
		// a little more, and the inbound sequence drops it.
		long received = this.acks.acknowledgeAll();
		this.writer.write(next, FrameCodec.session(resumed, nextToken, received, this.settings.window().toMillis()));
		return true;
	}

	/** The current connection delivered a frame: it is live, and the token it used is used up. */
	void delivered(DrainingWebSocketSession from) {
		if (from == this.connection) {
			this.lastInboundNanos = System.nanoTime();
			if (!this.tokens.isConfirmed()) {
				synchronized (this.stateLock) {
					this.tokens.confirm();
				}
			}
		}
	}

	/** The client acknowledged: once closing nothing more is added, so an empty buffer stays empty. */
	void acknowledged() {
		if (this.state != ResumableState.OPEN && this.out.unacknowledged() == 0) {
			this.allAcknowledged.complete(null);
		}
	}

	void connectionClosed(DrainingWebSocketSession closed, CloseStatus status) {
		synchronized (this.stateLock) {
			if (closed != this.connection || this.state.isOver()) {
				return;
			}
			this.connection = null;
			this.out.detach();
			if (this.state.waitsForResumeAfter(status, this.allAcknowledged.isDone())) {
				this.lostStatus = status;
				this.sessions.sessionDetached(this.session);
				long window = this.settings.window().toMillis();
				this.expiry = this.sessions.timer()
					.schedule(() -> this.sessions.writers().execute(() -> end(status, null)), window, TimeUnit.MILLISECONDS);
				logger.debug("WebSocket session " + this.session.getId() + ": connection lost with " + status
						+ ", resumable for " + window + " ms");
				return;
			}
		}
		end((this.requestedStatus != null) ? this.requestedStatus : status, closed);
	}

	void violation(DrainingWebSocketSession from, ProtocolViolationException ex) {
		logger.debug("WebSocket session " + this.session.getId() + ": " + ex.getMessage() + ", closing connection "
				+ from.getId() + " with " + ex.getStatus());
		synchronized (this.stateLock) {
			if (this.state == ResumableState.OPEN) {
				this.requestedStatus = ex.getStatus();
				this.closeRequestedNanos = System.nanoTime();
			}
			this.state = this.state.violated();
		}
		from.close(ex.getStatus());
		if (from != this.connection) {
			end(ex.getStatus(), null);
		}
	}

	/** Everything is acknowledged or the ack timeout passed: close, connected or not. */
	private void closeConnection(CloseStatus status) {
		DrainingWebSocketSession current;
		synchronized (this.stateLock) {
			current = this.connection;
			this.state = this.state.closeSent();
		}
		if (current != null) {
			current.closeAsync(status);
		}
		else {
			end(status, null);
		}
	}

	void evict() {
		CloseStatus status;
		synchronized (this.stateLock) {
			if (this.connection != null || this.state.isOver()) {
				return;
			}
			status = (this.lostStatus != null) ? this.lostStatus : CloseStatus.GOING_AWAY;
		}
		end(status, null, ResumableState.EVICTED);
	}

	/** The session is over for the app: forget its token, tell the handler, complete the future. */
	void end(CloseStatus status, @Nullable DrainingWebSocketSession ended) {
		end(status, ended, ResumableState.CLOSED);
	}

	void end(CloseStatus status, @Nullable DrainingWebSocketSession ended, ResumableState over) {
		DrainingWebSocketSession last;
		boolean complete;
		synchronized (this.stateLock) {
			if (this.state.isOver()) {
				return;
			}
			if (this.requestedStatus == null) {
				this.requestedStatus = status;
				this.closeRequestedNanos = System.nanoTime();
			}
			complete = this.state.endsComplete(this.session.getUnacknowledgedMessages()) && over != ResumableState.MOVED;
			this.state = over;
			this.sessions.detachedSessionReleased(this.session);
			this.tokens.end(complete);
			if (this.expiry != null) {
				this.expiry.cancel(false);
			}
			last = this.connection;
			this.connection = null;
			this.out.detach();
		}
		signalBuffer();
		if (over == ResumableState.MOVED) {
			// A sender past its admission is still writing a recorded frame to the connection:
			// let it finish, so that the close frame follows it rather than cutting it off.
			this.out.writeUnnumbered(() -> null);
		}
		if (last != null) {
			// Moved: the client may still be waiting for this connection's session frame, and a close
			// frame in its place would end the session for it; 1001 is a lost connection, it resumes.
			last.closeAsync((over == ResumableState.MOVED) ? GONE_ELSEWHERE : status);
		}
		this.sessions.journalReleased(this.session);
		if (over != ResumableState.MOVED) {
			this.journal.ended(status, complete);
		}
		DrainingWebSocketSession source = (last != null) ? last : ended;
		CloseResult connectionResult = (source != null) ? source.getCloseFuture().getNow(null) : null;
		int unacked = this.session.getUnacknowledgedMessages();
		this.unacknowledgedAtEnd = unacked;
		// Whatever still references the session (the app, a connection the container keeps) holds bytes, not the buffer.
		this.out.release();
		CloseResult result = new CloseResult(this.session.getId(), status,
				(connectionResult != null) ? connectionResult.flushed() : 0,
				(connectionResult != null) ? connectionResult.dropped() : 0,
				Duration.ofNanos(System.nanoTime() - this.closeRequestedNanos),
				connectionResult != null && connectionResult.drainTimedOut(), unacked);
		if (logger.isDebugEnabled()) {
			logger.debug("WebSocket session " + this.session.getId() + " closed with " + status + ", " + unacked
					+ " unacknowledged message(s)");
		}
		try {
			if (this.announced) {
				this.handler.afterConnectionClosed(this.session, status);
			}
		}
		catch (Exception ex) {
			logger.warn("WebSocket session " + this.session.getId() + ": handler failed after close", ex);
		}
		finally {
			this.closeFuture.complete(result);
		}
	}

	void ensureOpen() throws SessionClosingException {
		if (this.state != ResumableState.OPEN) {
			throw new SessionClosingException(this.session.getId(), "WebSocket session " + this.session.getId() + " is "
					+ (this.state.isOver() ? "closed" : "closing") + ": message not accepted");
		}
	}

	/** The state changed: waiting senders check it again; a closing session may be all acknowledged. */
	private void signalBuffer() {
		this.out.wake();
		acknowledged();
	}

	private static String addressOf(WebSocketSession connection) {
		InetSocketAddress remote = connection.getRemoteAddress();
		if (remote == null) {
			return "unknown";
		}
		return (remote.getAddress() != null) ? remote.getAddress().getHostAddress() : remote.getHostString();
	}

}

package io.github.wsdrain.client;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import io.github.wsdrain.protocol.Frame;
import org.jspecify.annotations.Nullable;

/**
 * The state machine of a {@link ReliableConnection}: one {@link State}, the transport
 * connection that carries the session, the resume token, and the transitions between
 * them, each under one lock. What a transition sets off (listeners, the reconnector,
 * the buffers) is the connection's.
 * <p>
 * {@code CONNECTING → OPEN} when the first connection's replay is written;
 * {@code OPEN → RECONNECTING} when it is lost; {@code RECONNECTING → OPEN} when a resumed
 * connection's replay is written; any state {@code → CLOSED} when the session ends.
 */
final class SessionState {

	private final ReentrantLock lock = new ReentrantLock();

	/** Written under the lock. */
	private volatile State state = State.CONNECTING;

	/** The newest transport connection that got its session frame. */
	private @Nullable TransportConnection current;

	/** Where sends go: the current connection once the replay has been written to it. */
	private volatile @Nullable TransportConnection live;

	private @Nullable String token;

	private long windowMillis;

	private int reconnects;

	private int resumes;

	/**
	 * A transport connection got its session frame: it carries the session if it is the
	 * first or a resume the server accepted, unless the session is over.
	 * @param accepted run under the lock if it does, before any other connection can
	 * @return whether it carries the session
	 */
	boolean sessionFrame(TransportConnection from, Frame.Session frame, boolean resuming, Runnable accepted) {
		this.lock.lock();
		try {
			if (resuming) {
				this.reconnects++;
			}
			if (!(frame.resumed() || !resuming) || this.state == State.CLOSED) {
				return false;
			}
			this.current = from;
			this.token = frame.token();
			this.windowMillis = frame.windowMillis();
			if (resuming) {
				this.resumes++;
			}
			accepted.run();
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * CONNECTING or RECONNECTING → OPEN, if the connection still carries the session.
	 * @return whether sends go to it now
	 */
	boolean goLive(TransportConnection transport) {
		this.lock.lock();
		try {
			if (this.current != transport || this.state == State.CLOSED) {
				return false;
			}
			this.live = transport;
			this.state = State.OPEN;
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * A transport connection ended: OPEN → RECONNECTING if it was lost, → CLOSED if its
	 * end ends the session.
	 * @param endsSession whether its close status ends the session
	 * @param closed run under the lock on → CLOSED
	 * @return what the end meant
	 */
	Loss connectionEnded(TransportConnection transport, boolean endsSession, Runnable closed) {
		this.lock.lock();
		try {
			if (transport != this.current || this.state == State.CLOSED) {
				return Loss.NONE;
			}
			this.current = null;
			this.live = null;
			if (this.state == State.CONNECTING) {
				// The first connection: opening it reports the failure.
				return Loss.NONE;
			}
			if (endsSession) {
				close(closed);
				return Loss.SESSION_OVER;
			}
			this.state = State.RECONNECTING;
			return Loss.RECONNECTING;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Any state → CLOSED.
	 * @param closed run under the lock, with the connection that carried the session, if any
	 * @return {@code false}, running nothing, if already CLOSED
	 */
	boolean end(Consumer<@Nullable TransportConnection> closed) {
		this.lock.lock();
		try {
			if (this.state == State.CLOSED) {
				return false;
			}
			TransportConnection last = this.current;
			close(() -> closed.accept(last));
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Call with the lock held. */
	private void close(Runnable closed) {
		this.state = State.CLOSED;
		this.live = null;
		closed.run();
	}

	/**
	 * Return what a resume offers, while RECONNECTING.
	 * @param taken the last sequence number the consumer took
	 * @return the resume, or {@code null} once not RECONNECTING
	 */
	Reconnector.@Nullable Resume resume(long taken) {
		this.lock.lock();
		try {
			return (this.state == State.RECONNECTING && this.token != null) ? new Reconnector.Resume(this.token, taken)
					: null;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Whether a lost session still waits for an attempt: RECONNECTING without a connection. */
	boolean needsAttempt() {
		this.lock.lock();
		try {
			return this.state == State.RECONNECTING && this.current == null;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** How long the server keeps the session after a loss, as its last session frame said. */
	long windowMillis() {
		this.lock.lock();
		try {
			return this.windowMillis;
		}
		finally {
			this.lock.unlock();
		}
	}

	int reconnects() {
		this.lock.lock();
		try {
			return this.reconnects;
		}
		finally {
			this.lock.unlock();
		}
	}

	int resumes() {
		this.lock.lock();
		try {
			return this.resumes;
		}
		finally {
			this.lock.unlock();
		}
	}

	@Nullable TransportConnection live() {
		return this.live;
	}

	State state() {
		return this.state;
	}

	/** The session's states. */
	enum State {

		/** Opening the first connection, waiting for its session frame. */
		CONNECTING,

		/** A connection carries the session: sends are written, data goes to the consumer. */
		OPEN,

		/** The connection was lost: the {@link Reconnector} opens new ones until one resumes. */
		RECONNECTING,

		/** The session is over: {@code receive()} returns what was buffered, then throws its end. */
		CLOSED

	}

	/** What the end of a transport connection meant. */
	enum Loss {

		/** Nothing: not the session's connection, the first one, or the session was over. */
		NONE,

		/** The session lost its connection: OPEN → RECONNECTING. */
		RECONNECTING,

		/** Its close status ended the session: → CLOSED. */
		SESSION_OVER

	}

}

package io.github.wsdrain.session;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Where a {@link DrainingWebSocketSession} is in its life. Each transition method returns
 * the state an event leads to, or {@code null} when the event does not apply in this
 * state (it came too late, or twice); the session's {@link CloseSequence} applies it under
 * its lock.
 * <pre>
 * OPEN ──close──▶ DRAINING ──drained──▶ CLOSING ──close frame sent──▶ CLOSED
 * OPEN ──close, with a close delay──▶ CLOSE_PENDING ──close──▶ DRAINING
 * DRAINING ──drain timed out──▶ DRAIN_TIMED_OUT ──close frame sent──▶ CLOSED
 * OPEN, CLOSE_PENDING, DRAINING, CLOSING ──write timed out──▶ WRITE_TIMED_OUT ──connection cut──▶ CLOSED
 * OPEN, CLOSE_PENDING ──overflow (terminate)──▶ CLOSING
 * any state but CLOSED ──connection ended──▶ CLOSED
 * </pre>
 */
public enum SessionState {

	/** Accepting messages. */
	OPEN,

	/**
	 * A close was requested and waits, bounded, for messages still on their way to the
	 * session (STOMP's outbound channel): still accepting messages.
	 */
	CLOSE_PENDING,

	/** Refusing new messages, writing the queue before the close frame. */
	DRAINING,

	/**
	 * The queue is written (or was dropped on overflow): the close barrier, then the close
	 * frame.
	 */
	CLOSING,

	/**
	 * The drain ran out of time: the queue was dropped (and counted), the close result
	 * reported, and the connection is being closed without waiting for the stuck write.
	 */
	DRAIN_TIMED_OUT,

	/**
	 * A write to the container ran past the send time limit: the queue was dropped (and
	 * counted), the close result reported, and the connection is being cut so that the
	 * blocked writer returns.
	 */
	WRITE_TIMED_OUT,

	/** The close frame is sent or the connection has ended; the result is reported. */
	CLOSED;

	/**
	 * A close was requested.
	 * @return {@link #DRAINING} from {@link #OPEN} or {@link #CLOSE_PENDING}, else
	 * {@code null}: only the first request counts
	 */
	@Nullable SessionState closeRequested() {
		return isAccepting() ? DRAINING : null;
	}

	/**
	 * A close was requested on a session with a close delay.
	 * @return {@link #CLOSE_PENDING} from {@link #OPEN}, else {@code null}: only the first
	 * request waits
	 */
	@Nullable SessionState closeDelayed() {
		return (this == OPEN) ? CLOSE_PENDING : null;
	}

	/**
	 * A message did not fit under {@link SendOverflowPolicy#TERMINATE}: the queue is
	 * dropped and the close frame goes out at once.
	 * @return {@link #CLOSING} from {@link #OPEN} or {@link #CLOSE_PENDING}, else
	 * {@code null}
	 */
	@Nullable SessionState terminated() {
		return isAccepting() ? CLOSING : null;
	}

	/**
	 * The drain wrote the whole queue.
	 * @return {@link #CLOSING} from {@link #DRAINING}, else {@code null} (the drain timed
	 * out or the connection ended meanwhile)
	 */
	@Nullable SessionState drained() {
		return (this == DRAINING) ? CLOSING : null;
	}

	/**
	 * The drain timeout passed (or the drain was expired on purpose).
	 * @return {@link #DRAIN_TIMED_OUT} from {@link #DRAINING}, else {@code null}: a close
	 * frame already on its way is not held up
	 */
	@Nullable SessionState drainTimedOut() {
		return (this == DRAINING) ? DRAIN_TIMED_OUT : null;
	}

	/**
	 * A write to the container (a message, the close barrier's Ping or the close frame)
	 * has run past the send time limit.
	 * @return {@link #WRITE_TIMED_OUT} from a state that has not reported yet, else
	 * {@code null}: a session that timed out already is being cut
	 */
	@Nullable SessionState writeTimedOut() {
		return isReported() ? null : WRITE_TIMED_OUT;
	}

	/**
	 * The container took the close frame (or failed to), or the connection was cut.
	 * @return {@link #CLOSED} from {@link #CLOSING}, {@link #DRAIN_TIMED_OUT} or
	 * {@link #WRITE_TIMED_OUT}, else {@code null}
	 */
	@Nullable SessionState closeFrameSent() {
		return (this == CLOSING || this == DRAIN_TIMED_OUT || this == WRITE_TIMED_OUT) ? CLOSED : null;
	}

	/**
	 * The container reported the end of the connection.
	 * @return {@link #CLOSED} from any other state, else {@code null}
	 */
	@Nullable SessionState connectionEnded() {
		return (this != CLOSED) ? CLOSED : null;
	}

	/**
	 * Return whether the session accepts messages in this state.
	 * @return {@code true} for {@link #OPEN} and {@link #CLOSE_PENDING}
	 */
	public boolean isAccepting() {
		return this == OPEN || this == CLOSE_PENDING;
	}

	/**
	 * Return whether the close result has been reported on entering this state.
	 * @return {@code true} for {@link #DRAIN_TIMED_OUT}, {@link #WRITE_TIMED_OUT} and
	 * {@link #CLOSED}
	 */
	boolean isReported() {
		return this == DRAIN_TIMED_OUT || this == WRITE_TIMED_OUT || this == CLOSED;
	}

	/**
	 * Return the coarse state shown in metric tags and the actuator endpoint: {@code open},
	 * {@code closing} (close pending, draining, closing, drain or write timed out) or
	 * {@code closed}.
	 * @return the tag value
	 */
	public String tagValue() {
		return switch (this) {
			case OPEN, CLOSED -> name().toLowerCase(Locale.ROOT);
			case CLOSE_PENDING, DRAINING, CLOSING, DRAIN_TIMED_OUT, WRITE_TIMED_OUT -> "closing";
		};
	}

}

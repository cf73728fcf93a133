package io.github.wsdrain.server.resume;

import org.springframework.web.socket.CloseStatus;

/**
 * The states of a {@link ResumableSession}: its connection may come and go in every state
 * but the two that end it. Transitions return the next state; the session holds its
 * state lock while it applies them.
 */
enum ResumableState {

	/** Sending; a lost connection waits for a resume. */
	OPEN,

	/** The app closed it: waiting for the client's acknowledgements, still resumable. */
	CLOSING,

	/** The app's close frame is on its way: a connection that ends now ends the session. */
	CLOSE_SENT,

	/** The client broke the protocol: its connection is being closed, and the session with it. */
	REFUSED,

	/** Ended by the detached limits while its client was away: its tokens are forgotten. */
	EVICTED,

	/** Over: the app has seen {@code afterConnectionClosed}. */
	CLOSED;

	/**
	 * Return whether the app has seen the session end.
	 * @return {@code true} for {@link #CLOSED} and {@link #EVICTED}
	 */
	boolean isOver() {
		return this == CLOSED || this == EVICTED;
	}

	/** The app's close frame is going out: a closing session stops being resumable. */
	ResumableState closeSent() {
		return (this == CLOSING) ? CLOSE_SENT : this;
	}

	/** The client broke the protocol: an open session is refused, a closing one ends with its close. */
	ResumableState violated() {
		return switch (this) {
			case OPEN -> REFUSED;
			case CLOSING -> CLOSE_SENT;
			default -> this;
		};
	}

	/**
	 * Whether a lost connection leaves the session waiting for a resume: while open,
	 * unless the client closed normally or a message was too big; while closing, until
	 * everything is acknowledged, so that a drop during the close loses nothing.
	 * @param status how the connection ended
	 * @param allAcknowledged whether the client acknowledged everything sent
	 */
	boolean waitsForResumeAfter(CloseStatus status, boolean allAcknowledged) {
		if (this == OPEN) {
			// 1009: a message too big for one side; a resume would replay it into the same wall.
			return !CloseStatus.NORMAL.equalsCode(status) && !CloseStatus.TOO_BIG_TO_PROCESS.equalsCode(status);
		}
		return this == CLOSING && !allAcknowledged;
	}

	/**
	 * Whether ending now ends the session complete: closed by the app with everything
	 * acknowledged, so that a client whose connection dropped with the close frame may
	 * come back to be told so (PROTOCOL.md §4.7).
	 * @param unacknowledged the messages the client has not acknowledged
	 */
	boolean endsComplete(int unacknowledged) {
		return (this == CLOSING || this == CLOSE_SENT) && unacknowledged == 0;
	}

}

package io.github.wsdrain.session;

import org.springframework.web.socket.CloseStatus;

/**
 * The close a {@link DrainingWebSocketSession} is carrying out, set when it leaves
 * {@link SessionState#OPEN}.
 *
 * @param status the status to send (1011 once the drain timed out on a 1000)
 * @param requestedNanos when the close was requested
 * @param sentBefore messages sent before the request
 * @param droppedBefore messages dropped before the request
 * @param drainTimedOut whether the drain gave up
 * @param writeTimedOut whether a write ran past the send time limit
 */
record CloseRequest(CloseStatus status, long requestedNanos, long sentBefore, long droppedBefore,
		boolean drainTimedOut, boolean writeTimedOut) {

	/** The status of a session whose write ran past the send time limit. */
	static final CloseStatus WRITE_TIMEOUT_STATUS = CloseStatus.SERVER_ERROR.withReason("Send time limit exceeded");

	CloseRequest timedOut() {
		return new CloseRequest(notNormal(this.status, "Drain timed out"), this.requestedNanos, this.sentBefore,
				this.droppedBefore, true, this.writeTimedOut);
	}

	CloseRequest writeTimedOutNow() {
		return new CloseRequest(notNormal(this.status, WRITE_TIMEOUT_STATUS.getReason()), this.requestedNanos,
				this.sentBefore, this.droppedBefore, this.drainTimedOut, true);
	}

	/** Whether the connection is cut rather than closed: a write is stuck on the peer. */
	boolean cutsConnection() {
		return this.drainTimedOut || this.writeTimedOut;
	}

	private static CloseStatus notNormal(CloseStatus status, String reason) {
		// A 1000 would tell the peer that it has everything; it does not. Containers
		// also write any other code under a short time limit, which a stuck peer needs.
		return CloseStatus.NORMAL.equalsCode(status) ? CloseStatus.SERVER_ERROR.withReason(reason) : status;
	}

}

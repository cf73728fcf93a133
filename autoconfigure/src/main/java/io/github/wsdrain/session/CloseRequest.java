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
 */
record CloseRequest(CloseStatus status, long requestedNanos, long sentBefore, long droppedBefore,
		boolean drainTimedOut) {

	CloseRequest timedOut() {
		// A 1000 would tell the peer that it has everything; it does not. Containers
		// also write any other code under a short time limit, which a stuck peer needs.
		CloseStatus sent = CloseStatus.NORMAL.equalsCode(this.status)
				? CloseStatus.SERVER_ERROR.withReason("Drain timed out") : this.status;
		return new CloseRequest(sent, this.requestedNanos, this.sentBefore, this.droppedBefore, true);
	}

}

package io.github.wsdrain.session;

import java.time.Duration;

import org.springframework.web.socket.CloseStatus;

/**
 * What happened when a draining session closed.
 *
 * @param sessionId the id of the session
 * @param status the close status sent to the peer, or the one the connection ended with
 * when the peer or the network ended it first
 * @param flushed messages written after the close was requested
 * @param dropped messages accepted but never written (drain timeout, or the connection
 * ended while they were queued)
 * @param duration time from the close request to the close frame (or the end of the
 * connection)
 * @param drainTimedOut whether the drain gave up at the drain timeout
 * @param unacknowledged messages written but never acknowledged by the peer; always 0
 * on a plain WebSocket, which has no acknowledgements
 * @param closeBarrier how the close barrier ended: whether the peer proved, with a Pong,
 * that it had parsed every message before the close frame
 */
public record CloseResult(String sessionId, CloseStatus status, long flushed, long dropped, Duration duration,
		boolean drainTimedOut, long unacknowledged, BarrierOutcome closeBarrier) {

	/**
	 * A result without a close barrier: a {@code wsdrain.v1} session, whose
	 * acknowledgements take its place.
	 */
	public CloseResult(String sessionId, CloseStatus status, long flushed, long dropped, Duration duration,
			boolean drainTimedOut, long unacknowledged) {
		this(sessionId, status, flushed, dropped, duration, drainTimedOut, unacknowledged, BarrierOutcome.SKIPPED);
	}

	/**
	 * A result without acknowledgements and without a close barrier.
	 */
	public CloseResult(String sessionId, CloseStatus status, long flushed, long dropped, Duration duration,
			boolean drainTimedOut) {
		this(sessionId, status, flushed, dropped, duration, drainTimedOut, 0, BarrierOutcome.SKIPPED);
	}

	/**
	 * Return whether every message accepted by the session was written.
	 * @return {@code true} when nothing was dropped
	 */
	public boolean complete() {
		return this.dropped == 0;
	}

}

package io.github.wsdrain.shutdown;

import io.github.wsdrain.server.GoingAwayHandler;
import java.time.Duration;

/**
 * What one drain of every session achieved.
 *
 * @param sessions how many sessions were open or closing when the drain began, and
 * {@code wsdrain.v1} sessions waiting for a resume
 * @param closed sessions whose close frame went out, or whose connection ended, within
 * the timeout
 * @param forced sessions still draining at the timeout, closed at once with whatever
 * they still had queued dropped; and {@code wsdrain.v1} sessions still waiting for
 * acknowledgements then, which end at their ack timeout
 * @param flushed messages written to these sessions during the drain (including those
 * sent by {@link GoingAwayHandler}s)
 * @param dropped messages these sessions accepted but never wrote during the drain
 * @param unacknowledged messages sent to the {@code wsdrain.v1} sessions of the drain
 * that their clients had not acknowledged at its end; always 0 for plain WebSocket
 * @param duration time from the start of the drain to its end
 */
public record DrainSummary(int sessions, int closed, int forced, long flushed, long dropped,
		long unacknowledged, Duration duration) {

	/**
	 * Return whether every session closed within the timeout, nothing was dropped and
	 * every {@code wsdrain.v1} client acknowledged everything.
	 * @return {@code true} for a clean drain
	 */
	public boolean complete() {
		return this.forced == 0 && this.dropped == 0 && this.unacknowledged == 0;
	}

}

package io.github.wsdrain.session;

import java.util.Locale;

/**
 * How the close barrier of a session ended: the Ping sent after the last message, whose
 * Pong proves that the peer has parsed every message before the close frame.
 */
public enum BarrierOutcome {

	/** The peer answered the Ping: it had parsed every message before the close frame. */
	PASSED,

	/** No Pong within the bound: the close frame went out all the same. */
	TIMED_OUT,

	/** The connection ended, or the Ping could not be written, before the Pong came. */
	CONNECTION_ENDED,

	/**
	 * No Ping was sent: the barrier is off, the session is wsdrain.v1, it was never given a
	 * message to send, or the drain timed out.
	 */
	SKIPPED;

	/**
	 * Return the name used in logs and metric tags, for example {@code timed-out}.
	 * @return the lower-case, hyphenated name
	 */
	public String tagValue() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}

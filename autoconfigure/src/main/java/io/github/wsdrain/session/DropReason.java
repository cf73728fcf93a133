package io.github.wsdrain.session;

/**
 * Why a message accepted by a draining session was not sent, or why a message Spring's
 * STOMP outbound channel held for a session never reached it.
 */
public enum DropReason {

	/** The send buffer was full and the overflow policy discarded the message. */
	OVERFLOW,

	/** The drain of a closing session ran out of time. */
	DRAIN_TIMEOUT,

	/** The connection ended (peer close, network error) while the message was queued. */
	CONNECTION_CLOSED,

	/** The container failed to write the message. */
	SEND_FAILED,

	/**
	 * A write to the peer ran past the send time limit: the message in that write and
	 * those queued behind it.
	 */
	WRITE_TIMEOUT,

	/** STOMP: the outbound channel delivered the message after the session began to close. */
	SESSION_CLOSING,

	/** STOMP: the outbound channel delivered the message after the session had ended. */
	NO_SESSION;

	/**
	 * Return the name used in logs and metric tags, for example {@code drain-timeout}.
	 * @return the lower-case, hyphenated name
	 */
	public String tagValue() {
		return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
	}

}

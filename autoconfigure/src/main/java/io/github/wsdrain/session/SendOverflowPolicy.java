package io.github.wsdrain.session;

/**
 * What a draining session does when a message does not fit in its send buffer.
 *
 * @see DrainSettings#sendBufferSize()
 */
public enum SendOverflowPolicy {

	/**
	 * The sender waits for room up to the send time limit; past it the message is
	 * refused with a {@link SendBufferFullException} and the session is closed with 1011
	 * after draining what it had accepted.
	 */
	BLOCK,

	/**
	 * The message is refused with a {@link SendBufferFullException}, the queued messages
	 * are dropped (and counted) and the session is closed with 1011 at once.
	 */
	TERMINATE,

	/**
	 * The oldest queued messages are dropped (and counted) until the new one fits.
	 */
	DROP_OLDEST

}

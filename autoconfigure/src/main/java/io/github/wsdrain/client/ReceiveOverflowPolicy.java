package io.github.wsdrain.client;

/**
 * What a {@link BufferedWebSocketConnection} does when a message arrives and its receive
 * buffer is full.
 */
public enum ReceiveOverflowPolicy {

	/**
	 * Stop reading from the socket until the consumer has made room, so that TCP flow
	 * control pushes back on the peer. Nothing is dropped.
	 */
	BLOCK,

	/**
	 * Discard the oldest buffered messages to make room for the new one.
	 */
	DROP_OLDEST,

	/**
	 * Discard the message that does not fit.
	 */
	DROP_NEWEST,

	/**
	 * Discard the message that does not fit and close the connection with status 1009
	 * (message too big). Messages already buffered are still returned, then the close.
	 */
	FAIL

}

package io.github.wsdrain.client;

/**
 * A {@link BufferedWebSocketConnection} that survives lost connections, using the
 * {@code wsdrain.v1} protocol (see PROTOCOL.md).
 * <p>
 * <b>Guarantee:</b> within the server's resume window, {@link #receive()} returns every
 * message the server sent exactly once and in order, across any number of lost
 * connections: after an end without a normal close the connection reconnects with
 * back-off, resumes, and drops what it already had by sequence number. Messages sent
 * here are numbered and kept until the server acknowledges them, so that they are
 * replayed after a reconnect and delivered to the server's app once. The server learns
 * what the consumer has taken (acknowledgements are sent for messages returned by
 * {@code receive}, batched), so a server that closes after acknowledgements closes after
 * real receipt.
 * <p>
 * {@code receive()} throws a {@link ConnectionClosedException} only when the session is
 * over: closed normally by either side, refused by the server (1002, 1008), not recovered
 * (a {@link SessionNotRecoveredException}: the server no longer had the session), or
 * given up after the reconnect attempts. Until then, a lost connection is invisible to
 * the consumer, apart from {@link ReliableConnectionListener} events and the counters
 * here. The receive buffer always uses {@link ReceiveOverflowPolicy#BLOCK}: dropping a message
 * would break the guarantee.
 * <p>
 * Limits: messages live in this process's memory and the server's; a crash of either
 * loses what was not yet acknowledged.
 */
public interface ReliableWebSocketConnection extends BufferedWebSocketConnection {

	/**
	 * Return how many connections were opened after a lost one, resumed or not.
	 * @return the number of reconnections
	 */
	int getReconnects();

	/**
	 * Return how many reconnections resumed the session.
	 * @return the number of resumes
	 */
	int getResumes();

	/**
	 * Return how many received messages were dropped as duplicates by sequence number:
	 * what the consumer would have seen twice without deduplication.
	 * @return the duplicate count
	 */
	long getDuplicates();

	/**
	 * Return how many of the messages sent here the server has not acknowledged yet.
	 * @return the number of messages kept for replay
	 */
	int getUnacknowledgedMessages();

	/**
	 * Return whether a transport connection is currently up (the session may be open
	 * while reconnecting).
	 * @return whether connected
	 */
	boolean isConnected();

}

package io.github.wsdrain.client;

import org.springframework.web.socket.CloseStatus;

/**
 * What happens to a {@link ReliableWebSocketConnection}'s session. Called on the
 * container's or wsdrain's client threads: return quickly, do not block.
 */
public interface ReliableConnectionListener {

	/**
	 * The connection was lost without a normal close: reconnecting with back-off.
	 * @param connection the connection
	 * @param status how the lost connection ended (1006 when no close frame came)
	 */
	default void reconnecting(ReliableWebSocketConnection connection, CloseStatus status) {
	}

	/**
	 * The session was resumed on a new connection: what was missed is being replayed.
	 * @param connection the connection
	 */
	default void resumed(ReliableWebSocketConnection connection) {
	}

	/**
	 * The server no longer had the session (its resume window passed, or it restarted):
	 * the app must resynchronise, for example by opening a new connection and reloading
	 * its state. {@link #closed} follows.
	 * @param connection the connection
	 */
	default void notRecovered(ReliableWebSocketConnection connection) {
	}

	/**
	 * The session is over for good; buffered messages may still be received.
	 * @param connection the connection
	 * @param status the close status {@code receive()} reports once drained
	 */
	default void closed(ReliableWebSocketConnection connection, CloseStatus status) {
	}

}

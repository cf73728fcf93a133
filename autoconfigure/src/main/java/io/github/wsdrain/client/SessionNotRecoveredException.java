package io.github.wsdrain.client;

/**
 * Thrown by {@link ReliableWebSocketConnection#receive()}, after every message received
 * before, when a reconnect found that the server no longer had the session: messages
 * sent by the server while the connection was lost may be missing, so the app must
 * resynchronise.
 */
public class SessionNotRecoveredException extends ConnectionClosedException {

	public SessionNotRecoveredException(String reason) {
		super(1006, reason, false);
	}

}

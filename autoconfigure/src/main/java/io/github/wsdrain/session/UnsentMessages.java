package io.github.wsdrain.session;

/**
 * What becomes of the messages a {@link DrainingWebSocketSession} accepted and could not
 * write: chosen when the session is created, for the whole life of its connection.
 */
public enum UnsentMessages {

	/**
	 * They are lost: counted, logged and reported as dropped. The default for a plain
	 * WebSocket connection.
	 */
	DROPPED,

	/**
	 * A session above the connection keeps every message until the peer acknowledges it
	 * and replays them on the next connection ({@code wsdrain.v1}): they are not counted
	 * as dropped, and a full queue makes senders wait even under
	 * {@link SendOverflowPolicy#DROP_OLDEST}, since a dropped frame would be a gap.
	 */
	REPLAYED

}

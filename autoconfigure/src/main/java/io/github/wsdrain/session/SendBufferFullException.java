package io.github.wsdrain.session;

/**
 * Thrown by {@link DrainingWebSocketSession#sendMessage} when a message did not fit in
 * the send buffer under {@link SendOverflowPolicy#BLOCK} (within the send time limit) or
 * {@link SendOverflowPolicy#TERMINATE}: the message was not accepted and the session is
 * being closed with 1011.
 */
public class SendBufferFullException extends SessionClosingException {

	public SendBufferFullException(String sessionId, String message) {
		super(sessionId, message);
	}

}

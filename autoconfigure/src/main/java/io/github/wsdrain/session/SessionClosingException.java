package io.github.wsdrain.session;

import java.io.IOException;

/**
 * Thrown by {@link DrainingWebSocketSession#sendMessage} once the session is closing or
 * closed: the message was not accepted and will not be sent.
 */
public class SessionClosingException extends IOException {

	private final String sessionId;

	public SessionClosingException(String sessionId, String message) {
		super(message);
		this.sessionId = sessionId;
	}

	/**
	 * Return the id of the session that refused the message.
	 * @return the session id
	 */
	public String getSessionId() {
		return this.sessionId;
	}

}

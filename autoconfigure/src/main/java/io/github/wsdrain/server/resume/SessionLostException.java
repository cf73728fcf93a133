package io.github.wsdrain.server.resume;

/**
 * The store answered but no longer has the session (expired, evicted, or lost in a
 * restart without persistence): waiting will not bring it back.
 */
public class SessionLostException extends ResumeStoreException {

	public SessionLostException(String message) {
		super(message, null);
	}

}

package io.github.wsdrain.server.resume;

/**
 * Another node took the session over: this node's writes are fenced off and its copy of
 * the session ends.
 */
public class SessionMovedException extends ResumeStoreException {

	public SessionMovedException(String message) {
		super(message, null);
	}

}

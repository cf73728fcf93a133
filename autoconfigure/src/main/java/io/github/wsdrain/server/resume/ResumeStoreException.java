package io.github.wsdrain.server.resume;

import org.jspecify.annotations.Nullable;

/**
 * A {@link ResumeStore} could not do what was asked: unreachable, too slow, or it lost
 * the session (a restarted Redis without persistence).
 */
public class ResumeStoreException extends RuntimeException {

	public ResumeStoreException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}

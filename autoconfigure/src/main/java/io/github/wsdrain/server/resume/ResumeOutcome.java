package io.github.wsdrain.server.resume;

import java.util.Locale;

/**
 * What became of a client's attempt to resume a {@code wsdrain.v1} session: a connection
 * whose URL carries a {@code wsdrain-token}.
 */
public enum ResumeOutcome {

	/** The session continues on the new connection, which gets {@code s:r} and the replay. */
	RESUMED,

	/**
	 * Nothing to resume: the token was unknown, expired, forged, used up, another user's
	 * or issued by another endpoint (the client gets {@code s:n}, a new session), or the
	 * session it named ended while the connection was being attached (the client gets
	 * 1001 and tries again).
	 */
	NOT_RECOVERED,

	/**
	 * The attempt broke the protocol: malformed resume parameters (1002), or a
	 * {@code wsdrain-last} below what the client acknowledged or above what was sent
	 * (1008). Only the new connection is closed: the session it named, its connection and
	 * its tokens stay as they were.
	 */
	REJECTED;

	/**
	 * Return the name used in logs and metric tags, for example {@code not-recovered}.
	 * @return the lower-case, hyphenated name
	 */
	public String tagValue() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}

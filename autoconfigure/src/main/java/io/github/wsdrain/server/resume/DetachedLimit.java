package io.github.wsdrain.server.resume;

import java.util.Locale;

/**
 * Which limit of {@link DetachedSessionLimits} made the server end a detached session.
 */
public enum DetachedLimit {

	/** Too many detached sessions overall. */
	SESSIONS,

	/** Detached sessions held too many bytes overall. */
	BYTES,

	/** Too many detached sessions from one client address. */
	SESSIONS_PER_ADDRESS,

	/** The detached sessions of one client address held too many bytes. */
	BYTES_PER_ADDRESS,

	/** Too many detached sessions of one principal. */
	SESSIONS_PER_PRINCIPAL,

	/** The detached sessions of one principal held too many bytes. */
	BYTES_PER_PRINCIPAL;

	/**
	 * Return the name used in logs and metric tags, for example {@code bytes-per-address}.
	 * @return the lower-case, hyphenated name
	 */
	public String tagValue() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}

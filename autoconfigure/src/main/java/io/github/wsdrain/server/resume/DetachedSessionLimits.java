package io.github.wsdrain.server.resume;

import org.springframework.util.Assert;

/**
 * How many {@code wsdrain.v1} sessions that lost their connection, and how many bytes of
 * them, the server keeps for a resume: overall, per client address and per principal.
 * Past a limit the oldest detached session in its scope is ended; its client gets
 * <em>not recovered</em>.
 *
 * @param sessions the most detached sessions kept
 * @param bytes the most bytes all detached sessions may hold
 * @param sessionsPerAddress the most detached sessions kept for one client address
 * @param bytesPerAddress the most bytes the detached sessions of one client address may hold
 * @param sessionsPerPrincipal the most detached sessions kept for one principal
 * @param bytesPerPrincipal the most bytes the detached sessions of one principal may hold
 */
public record DetachedSessionLimits(int sessions, long bytes, int sessionsPerAddress, long bytesPerAddress,
		int sessionsPerPrincipal, long bytesPerPrincipal) {

	/** Share of the maximum heap that detached sessions may hold unless configured. */
	public static final int DEFAULT_HEAP_DIVISOR = 4;

	public DetachedSessionLimits {
		Assert.isTrue(sessions > 0, "sessions must be positive");
		Assert.isTrue(bytes > 0, "bytes must be positive");
		Assert.isTrue(sessionsPerAddress > 0, "sessionsPerAddress must be positive");
		Assert.isTrue(bytesPerAddress > 0, "bytesPerAddress must be positive");
		Assert.isTrue(sessionsPerPrincipal > 0, "sessionsPerPrincipal must be positive");
		Assert.isTrue(bytesPerPrincipal > 0, "bytesPerPrincipal must be positive");
	}

	/**
	 * Return the defaults: 10,000 sessions and a quarter of the maximum heap overall; 1,000
	 * sessions and 64 MB per client address; 100 sessions and 64 MB per principal.
	 * @return the default limits
	 */
	public static DetachedSessionLimits defaults() {
		return new DetachedSessionLimits(10_000, defaultBytes(), 1_000, 64L << 20, 100, 64L << 20);
	}

	/**
	 * Return the default overall byte limit: a quarter of the maximum heap.
	 * @return the limit in bytes
	 */
	public static long defaultBytes() {
		return Runtime.getRuntime().maxMemory() / DEFAULT_HEAP_DIVISOR;
	}

}

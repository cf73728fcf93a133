package io.github.wsdrain.server.resume.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/**
 * The store's key and channel names. A session's hash and stream share the hash tag
 * {@code {id}}: one Redis Cluster slot, so that one script can touch both, and the claim
 * script can rename the stream. Token keys
 * are named by the token's SHA-256: Redis never sees a token.
 */
final class RedisKeys {

	private final String prefix;

	RedisKeys(String prefix) {
		this.prefix = prefix;
	}

	/** The session's hash and its stream at an epoch, in the order the scripts take them. */
	List<String> session(String id, long epoch) {
		return List.of(hash(id), stream(id, epoch));
	}

	String hash(String id) {
		return this.prefix + ":{" + id + "}:s";
	}

	/**
	 * The session's stream at an epoch: a claim that moves the epoch on renames it, so that
	 * the previous owner's appends find no stream to add to.
	 */
	String stream(String id, long epoch) {
		return streamName(id) + ":" + epoch;
	}

	/** The stream's name without its epoch, which the claim script completes. */
	String streamName(String id) {
		return this.prefix + ":{" + id + "}:f";
	}

	String token(String tokenHash) {
		return this.prefix + ":t:" + tokenHash;
	}

	String movedChannelPrefix() {
		return this.prefix + ":moved:";
	}

	String movedChannel(String nodeId) {
		return movedChannelPrefix() + nodeId;
	}

	static String tokenHash(String token) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
			return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
		}
	}

}

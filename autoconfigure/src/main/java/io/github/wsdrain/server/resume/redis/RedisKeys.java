package io.github.wsdrain.server.resume.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/**
 * The store's key and channel names. A session's hash and stream share the hash tag
 * {@code {id}}: one Redis Cluster slot, so that one script can touch both. Token keys
 * are named by the token's SHA-256: Redis never sees a token.
 */
final class RedisKeys {

	private final String prefix;

	RedisKeys(String prefix) {
		this.prefix = prefix;
	}

	/** The session's hash and stream, in the order the scripts take them. */
	List<String> session(String id) {
		return List.of(hash(id), stream(id));
	}

	String hash(String id) {
		return this.prefix + ":{" + id + "}:s";
	}

	String stream(String id) {
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

package io.github.wsdrain.server.resume.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.wsdrain.server.resume.SessionLostException;
import io.github.wsdrain.server.resume.SessionJournal;
import io.github.wsdrain.server.resume.SessionMovedException;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.core.RedisCallback;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketMessage;

/**
 * One session's record in Redis, written by its owner. Its messages go to the stream named
 * by the epoch this node holds, which a claim renames; every other write is a script
 * fenced by that epoch.
 */
final class RedisJournal implements SessionJournal {

	private final RedisResumeStore store;

	private final String id;

	private final long epoch;

	/** The session's hash and its stream at this journal's epoch. */
	private final List<String> keys;

	private final byte[][] rawKeys;

	/** Hashes of the tokens that resume the session: their keys are refreshed and deleted with it. */
	private final Set<String> tokenHashes = ConcurrentHashMap.newKeySet();

	RedisJournal(RedisResumeStore store, String id, long epoch) {
		this.store = store;
		this.id = id;
		this.epoch = epoch;
		this.keys = store.keys().session(id, epoch);
		this.rawKeys = RedisScripts.raw(this.keys);
	}

	@Override
	public String id() {
		return this.id;
	}

	@Override
	public long epoch() {
		return this.epoch;
	}

	@Override
	public void tokenIssued(String token) {
		String hash = RedisKeys.tokenHash(token);
		fenced("token", hash, "record a token");
		this.store.call(() -> {
			this.store.redis().opsForValue().set(this.store.keys().token(hash), this.id,
					Duration.ofMillis(Long.parseLong(this.store.ttl())));
			return Boolean.TRUE;
		}, "record a token");
		this.tokenHashes.add(hash);
	}

	/** A token this node did not issue but resumed with: deleted with the others once used up. */
	void tokenKnown(String hash) {
		this.tokenHashes.add(hash);
	}

	@Override
	public void tokensRetired(Collection<String> tokens) {
		List<String> hashes = tokens.stream().map(RedisKeys::tokenHash).toList();
		hashes.forEach(this.tokenHashes::remove);
		for (String hash : hashes) {
			fenced("untoken", hash, "retire a token");
		}
		this.store.call(() -> this.store.redis().delete(hashes.stream().map(this.store.keys()::token).toList()),
				"retire tokens");
	}

	@Override
	public void append(long firstSeq, List<? extends WebSocketMessage<?>> messages) {
		append(firstSeq, messages, 0);
	}

	@Override
	public void append(long firstSeq, List<? extends WebSocketMessage<?>> messages, long acknowledged) {
		List<RedisFrames.Entry> entries = RedisFrames.entries(messages);
		byte[][] acknowledgement = (acknowledged > 0)
				? RedisScripts.raw(fencedArgs("acked", Long.toString(acknowledged))) : null;
		Long result = this.store.call(() -> this.store.redis()
			.execute((RedisCallback<@Nullable Long>) (connection) -> new StreamAppend(connection, this.rawKeys,
					firstSeq, entries, this.store.window(), acknowledgement, this.store.commandTimeout())
				.result(this.epoch)),
				"record " + messages.size() + " message(s)");
		if (result == null) {
			// The batch is recorded; Redis restarted without the acknowledgement's script.
			acknowledged(acknowledged);
			return;
		}
		if (result == StreamAppend.GAP) {
			this.store.released(this);
			throw new SessionLostException("Redis resume store: session " + this.id + " lacks frames among "
					+ firstSeq + " to " + (firstSeq + messages.size() - 1)
					+ ": Redis refused some of them and kept later ones (out of memory or busy)");
		}
		check(result, "record messages");
	}

	@Override
	public void acknowledged(long seq) {
		fenced("acked", Long.toString(seq), "record an acknowledgement");
	}

	@Override
	public void delivered(long clientSeq) {
		fenced("delivered", Long.toString(clientSeq), "record a delivery");
	}

	@Override
	public void handOver(long delivered) {
		fenced("handed", Long.toString(delivered), "hand a session over");
	}

	@Override
	public void released(long delivered, long recorded) {
		this.store.released(this);
		Long result = this.store.call(() -> RedisScripts.run(this.store.redis(), RedisScripts.RELEASE,
				List.of(this.keys.get(0)),
				List.of(Long.toString(this.epoch), Long.toString(delivered), Long.toString(recorded))),
				"release a session");
		if (result == null || result == -1) {
			throw new SessionLostException("Redis resume store: session " + this.id + " is gone from Redis");
		}
	}

	@Override
	public void ended(CloseStatus status, boolean complete) {
		this.store.released(this);
		Long result = this.store.call(() -> RedisScripts.run(this.store.redis(), RedisScripts.END, this.keys,
				List.of(Long.toString(this.epoch), this.store.ttl(), complete ? "1" : "0",
						Integer.toString(status.getCode()), (status.getReason() != null) ? status.getReason() : "")),
				"end a session");
		if (result != null && result == 0) {
			throw new SessionMovedException("Session " + this.id + " was resumed on another node as it ended here");
		}
		if (!complete && result != null && result == 1) {
			List<String> tokenKeys = this.tokenHashes.stream().map(this.store.keys()::token).toList();
			this.store.call(() -> this.store.redis().delete(tokenKeys), "forget a session's tokens");
		}
	}

	/** The keys that expire unless the owner writes: refreshed while the session is quiet. */
	List<String> keysToRefresh() {
		List<String> refreshed = new ArrayList<>(this.keys);
		this.tokenHashes.forEach((hash) -> refreshed.add(this.store.keys().token(hash)));
		return refreshed;
	}

	private void fenced(String what, String value, String description) {
		Long result = this.store.call(
				() -> RedisScripts.run(this.store.redis(), RedisScripts.FENCED, this.keys, fencedArgs(what, value)),
				description);
		check(result, description);
	}

	private List<String> fencedArgs(String what, String value) {
		return List.of(Long.toString(this.epoch), this.store.ttl(), what, value);
	}

	private void check(Long result, String description) {
		if (result == null || result == -1) {
			// What is left of its record expires: this node refreshes it no more.
			this.store.released(this);
			throw new SessionLostException("Redis resume store: session " + this.id + " is gone from Redis (expired, "
					+ "evicted or lost in a restart); cannot " + description);
		}
		if (result == 0) {
			this.store.released(this);
			throw new SessionMovedException("Session " + this.id + " was resumed on another node");
		}
	}

	@Override
	public String toString() {
		return "RedisJournal[id=" + this.id + ", epoch=" + this.epoch + "]";
	}

}

package io.github.wsdrain.server.resume.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.RedisConnection;

/**
 * A batch of one session's messages recorded in one round trip on the app's Lettuce
 * connection, pipelined: an {@code XADD NOMKSTREAM} per stream entry, with the ID
 * {@code <its last sequence>-<its first sequence>}, to the stream of the writer's epoch;
 * the fenced script that records the client's acknowledgement, when it rides along; and
 * the session's epoch. No script carries the payload: Redis would copy every byte into Lua
 * first, which cost more than the {@code XADD}s themselves. The stream's name fences the
 * writer: a claim renames it, and an {@code XADD NOMKSTREAM} to the old name adds nothing.
 * An entry Redis already has (the batch sent again after a lost reply) is refused by its
 * ID, and counts as recorded.
 */
final class StreamAppend {

	/** The field of a stream entry that holds its frames. */
	private static final byte[] FRAMES_FIELD = { 'f' };

	private static final byte[] EPOCH_FIELD = "epoch".getBytes(StandardCharsets.US_ASCII);

	private final List<RedisFuture<String>> entries = new ArrayList<>(4);

	private @Nullable RedisFuture<Long> acknowledgement;

	private final RedisFuture<byte[]> epoch;

	private final long deadlineNanos;

	private final Duration timeout;

	/**
	 * Send the batch's commands.
	 * @param connection the app's connection, on Lettuce
	 * @param keys the session's hash and its stream at the writer's epoch
	 * @param firstSeq the sequence of the batch's first frame
	 * @param entries the batch's entries, in order
	 * @param acknowledgementArgs the arguments of {@code fenced.lua} that record the
	 * client's acknowledgement, or {@code null} when none rides along
	 * @param timeout how long to wait for the replies
	 */
	StreamAppend(RedisConnection connection, byte[][] keys, long firstSeq, List<RedisFrames.Entry> entries,
			byte[] @Nullable [] acknowledgementArgs, Duration timeout) {
		@SuppressWarnings("unchecked")
		RedisClusterAsyncCommands<byte[], byte[]> commands = (RedisClusterAsyncCommands<byte[], byte[]>) connection
			.getNativeConnection();
		long seq = firstSeq;
		for (RedisFrames.Entry entry : entries) {
			long last = seq + entry.frameCount() - 1;
			this.entries.add(commands.xadd(keys[1], new XAddArgs().id(last + "-" + seq).nomkstream(), FRAMES_FIELD,
					entry.frames()));
			seq = last + 1;
		}
		if (acknowledgementArgs != null) {
			this.acknowledgement = commands.evalsha(RedisScripts.FENCED.getSha1(), ScriptOutputType.INTEGER, keys,
					acknowledgementArgs);
		}
		this.epoch = commands.hget(keys[0], EPOCH_FIELD);
		this.timeout = timeout;
		this.deadlineNanos = System.nanoTime() + timeout.toNanos();
	}

	/**
	 * Wait for the replies.
	 * @param epoch the writer's epoch
	 * @return 1 when recorded, 0 when another node took the session over, -1 when the
	 * store lost it; {@code null} when Redis lacks the acknowledgement's script (loaded
	 * again on its next run): the batch is recorded, the acknowledgement is not
	 */
	@Nullable Long result(long epoch) {
		boolean added = true;
		for (RedisFuture<String> entry : this.entries) {
			added &= awaitEntry(entry) != null;
		}
		byte[] epochNow = await(this.epoch);
		if (epochNow == null) {
			return -1L;
		}
		if (Long.parseLong(new String(epochNow, StandardCharsets.US_ASCII)) != epoch) {
			return 0L;
		}
		if (!added) {
			// This epoch's stream is gone while the session is not: Redis lost it.
			return -1L;
		}
		if (this.acknowledgement == null) {
			return 1L;
		}
		try {
			return await(this.acknowledgement);
		}
		catch (RedisSystemException ex) {
			if (String.valueOf(ex.getMessage()).startsWith("NOSCRIPT")) {
				return null;
			}
			throw ex;
		}
	}

	private @Nullable String awaitEntry(RedisFuture<String> entry) {
		try {
			return await(entry);
		}
		catch (RedisSystemException ex) {
			String message = String.valueOf(ex.getMessage());
			// "The ID specified in XADD is equal or smaller than the target stream top item"
			if (message.contains("equal or smaller")) {
				return message;
			}
			throw ex;
		}
	}

	private <T> @Nullable T await(RedisFuture<T> reply) {
		try {
			return reply.get(this.deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			throw new RedisSystemException(ex.getCause().getMessage(), ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new QueryTimeoutException("Redis did not answer within " + this.timeout.toMillis() + " ms", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RedisSystemException("Interrupted while waiting for Redis", ex);
		}
	}

}

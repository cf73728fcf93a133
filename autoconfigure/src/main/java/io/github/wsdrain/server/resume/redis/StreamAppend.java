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
 * {@code PEXPIRE} of the session's keys; the fenced script that records the client's
 * acknowledgement, when it rides along; and {@code HGET} of the session's epoch. No script
 * carries the payload: Redis would copy every byte into Lua first, which cost more than
 * the {@code XADD}s themselves.
 * <p>
 * The stream's name fences the writer: a claim renames it, and an {@code XADD NOMKSTREAM}
 * to the old name adds nothing. An entry Redis already has (the batch sent again after a
 * lost reply) is refused by its ID, and counts as recorded. Redis runs a pipeline in
 * order, so a connection lost halfway leaves a prefix of the batch; an entry Redis refused
 * for any other reason ({@code OOM}, {@code BUSY}) followed by one it added ends the
 * session instead of being retried. Frames Redis lost after it recorded them (a failover,
 * a restart) leave a gap that the batch does not check for: the entries' IDs show it to
 * the resume that needs those frames, and that resume is <em>not recovered</em>.
 */
final class StreamAppend {

	/** Recorded. */
	static final long RECORDED = 1;

	/** Another node took the session over. */
	static final long MOVED = 0;

	/** The store lost the session or its stream. */
	static final long LOST = -1;

	/** Redis refused part of the batch and kept a later part. */
	static final long GAP = -2;

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
	 * @param ttl the resume window, which the session's keys get again
	 * @param acknowledgementArgs the arguments of {@code fenced.lua} that record the
	 * client's acknowledgement, or {@code null} when none rides along
	 * @param timeout how long to wait for the replies
	 */
	StreamAppend(RedisConnection connection, byte[][] keys, long firstSeq, List<RedisFrames.Entry> entries,
			Duration ttl, byte[] @Nullable [] acknowledgementArgs, Duration timeout) {
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
		commands.pexpire(keys[1], ttl.toMillis());
		commands.pexpire(keys[0], ttl.toMillis());
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
	 * @return {@link #RECORDED}, {@link #MOVED}, {@link #LOST} or {@link #GAP};
	 * {@code null} when Redis lacks the acknowledgement's script (loaded again on its next
	 * run): the batch is recorded, the acknowledgement is not
	 * @throws RuntimeException if Redis refused the batch or did not answer in time: the
	 * batch may be sent again
	 */
	@Nullable Long result(long epoch) {
		byte[] epochNow = await(this.epoch);
		if (epochNow == null) {
			return LOST;
		}
		if (Long.parseLong(new String(epochNow, StandardCharsets.US_ASCII)) != epoch) {
			return MOVED;
		}
		RuntimeException refused = null;
		for (RedisFuture<String> entry : this.entries) {
			try {
				if (!awaitEntry(entry)) {
					return LOST;
				}
				if (refused != null) {
					return GAP;
				}
			}
			catch (RuntimeException ex) {
				if (refused == null) {
					refused = ex;
				}
			}
		}
		if (refused != null) {
			throw refused;
		}
		if (this.acknowledgement == null) {
			return RECORDED;
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

	/** Return whether Redis has the entry now: {@code false} when the stream is gone. */
	private boolean awaitEntry(RedisFuture<String> entry) {
		try {
			return await(entry) != null;
		}
		catch (RedisSystemException ex) {
			// "The ID specified in XADD is equal or smaller than the target stream top item":
			// Redis has it already. The stream has one writer, a batch at a time, and a batch is
			// sent again with the same entries; where Redis lost an entry even so, the resume
			// that needs it finds the gap.
			if (!String.valueOf(ex.getMessage()).contains("equal or smaller")) {
				throw ex;
			}
			return true;
		}
	}

	private <T> @Nullable T await(RedisFuture<T> reply) {
		try {
			return reply.get(Math.max(0, this.deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
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

package io.github.wsdrain.server.resume.redis;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import io.github.wsdrain.server.resume.ResumeClaim;
import io.github.wsdrain.server.resume.ResumeStore;
import io.github.wsdrain.server.resume.ResumeStoreException;
import io.github.wsdrain.server.resume.SessionJournal;
import io.github.wsdrain.server.resume.SessionMovedException;
import io.github.wsdrain.support.RateLimitedLog;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketMessage;

/**
 * {@code wsdrain.v1} sessions in Redis (6.2 or later), shared by every node that uses the
 * same server and key prefix. Per session, under one hash tag so that Redis Cluster keeps
 * them in one slot: a hash (owner node, fencing epoch, principal, endpoint, hashed tokens,
 * client acknowledgement, highest client sequence delivered) and a stream of the
 * unacknowledged outbound messages, a batch per entry ({@link RedisFrames}), named by the
 * epoch. Each token hash points to its session through a key of its own. The owner adds
 * its messages to the stream of its epoch with pipelined {@code XADD NOMKSTREAM}s; its other
 * writes are Lua scripts fenced by its epoch. A resume is one script that checks the token,
 * principal, endpoint and {@code last}, moves the epoch on (renaming the stream, so that
 * the previous owner's appends find none) and tells the previous owner through its node
 * channel. Keys expire after the resume window without a write; the owner refreshes its
 * sessions' keys.
 */
public class RedisResumeStore implements ResumeStore, InitializingBean, DisposableBean {

	private static final Log logger = LogFactory.getLog(RedisResumeStore.class);

	private static final Duration WARN_INTERVAL = Duration.ofSeconds(10);

	private static final int ID_BYTES = 16;

	/** How long a resume waits for a running previous owner to record what it delivered. */
	private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(2);

	private final StringRedisTemplate redis;

	/** How long a write waits for Redis: Lettuce's command timeout. */
	private final Duration commandTimeout;

	private final RedisKeys keys;

	private final String nodeId;

	private final Duration window;

	private final SecureRandom random = new SecureRandom();

	private final RedisMessageListenerContainer listeners = new RedisMessageListenerContainer();

	private final List<MovedListener> movedListeners = new CopyOnWriteArrayList<>();

	/** This node's sessions: their keys expire unless refreshed, connected or not. */
	private final Set<RedisJournal> owned = ConcurrentHashMap.newKeySet();

	private final ScheduledExecutorService refresher = Executors
		.newSingleThreadScheduledExecutor(daemonThreads("wsdrain-redis-refresh-"));

	private final RateLimitedLog failureWarnings = new RateLimitedLog(logger, WARN_INTERVAL);

	/** A partitioned or overloaded node may keep many sessions from being released: one line per interval. */
	private final RateLimitedLog releaseWarnings = new RateLimitedLog(logger, WARN_INTERVAL);

	private final AtomicLong failures = new AtomicLong();

	/**
	 * Create a store on the app's Redis connection.
	 * @param connectionFactory the app's Redis connections
	 * @param keyPrefix what every key and channel name starts with
	 * @param nodeId this node's id, unique among the nodes that share the store
	 * @param window the resume window: how long keys outlive their last write
	 */
	public RedisResumeStore(RedisConnectionFactory connectionFactory, String keyPrefix, String nodeId,
			Duration window) {
		if (!(connectionFactory instanceof LettuceConnectionFactory lettuce)) {
			throw new IllegalStateException("wsdrain.server.resume.store=redis needs Lettuce, Spring Boot's default "
					+ "Redis client; the RedisConnectionFactory is a " + connectionFactory.getClass().getName());
		}
		this.commandTimeout = Duration.ofMillis(lettuce.getTimeout());
		this.redis = new StringRedisTemplate(connectionFactory);
		this.keys = new RedisKeys(keyPrefix);
		this.nodeId = nodeId;
		this.window = window;
		this.listeners.setConnectionFactory(connectionFactory);
		this.listeners.setTaskExecutor(Executors.newSingleThreadExecutor(daemonThreads("wsdrain-redis-moved-")));
		this.listeners.addMessageListener((message, pattern) -> moved(new String(message.getBody(),
				StandardCharsets.UTF_8)), new ChannelTopic(this.keys.movedChannel(nodeId)));
	}

	/**
	 * Return a random node id: 128 bits, URL-safe.
	 * @return a new id
	 */
	public static String randomNodeId() {
		return newId(new SecureRandom());
	}

	@Override
	public void afterPropertiesSet() {
		this.listeners.afterPropertiesSet();
		try {
			this.listeners.start();
		}
		catch (RuntimeException ex) {
			// The container keeps trying; until it subscribes, a node learns of a move when its next write is fenced.
			warn(() -> "Redis resume store: cannot subscribe to " + this.keys.movedChannel(this.nodeId) + " yet ("
					+ ex.getMessage() + "); retrying", ex);
		}
		long every = Math.max(this.window.toMillis() / 4, 100);
		this.refresher.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
	}

	@Override
	public String nodeId() {
		return this.nodeId;
	}

	@Override
	public boolean isShared() {
		return true;
	}

	@Override
	public SessionJournal open(SessionKey key) {
		String id = newId(this.random);
		call(() -> RedisScripts.run(this.redis, RedisScripts.OPEN, this.keys.session(id, 1),
				List.of(this.nodeId, principal(key.principal()), key.endpoint(), ttl())), "open a session");
		RedisJournal journal = new RedisJournal(this, id, 1);
		this.owned.add(journal);
		return journal;
	}

	@Override
	public ResumeClaim claim(ClaimRequest request) {
		String tokenHash = RedisKeys.tokenHash(request.token());
		String id = call(() -> this.redis.opsForValue().get(this.keys.token(tokenHash)), "look up a token");
		if (id == null) {
			return ResumeClaim.Unknown.INSTANCE;
		}
		List<?> reply = call(() -> RedisScripts.run(this.redis, RedisScripts.CLAIM, List.of(this.keys.hash(id)),
				List.of(tokenHash, principal(request.principal()), request.endpoint(),
						Long.toString(request.last()), this.nodeId, ttl(), this.keys.movedChannelPrefix(), id,
						Long.toString(id.equals(request.localId()) ? request.localEpoch() : 0),
						this.keys.streamName(id))),
				"claim a session");
		String outcome = String.valueOf(reply.get(0));
		return switch (outcome) {
			case "none" -> ResumeClaim.Unknown.INSTANCE;
			case "below" -> new ResumeClaim.OutOfRange("Resume before acknowledged sequence");
			case "beyond" -> new ResumeClaim.OutOfRange("Resume beyond the last sent sequence");
			// Its stream is gone (eviction, failover or restart): nothing to resume from.
			case "lost" -> ResumeClaim.Unknown.INSTANCE;
			case "complete" -> new ResumeClaim.Complete(new CloseStatus(Integer.parseInt(String.valueOf(reply.get(1))),
					reason(reply)));
			default -> claimed(request, id, reply);
		};
	}

	private static @Nullable String reason(List<?> reply) {
		Object reason = (reply.size() > 2) ? reply.get(2) : null;
		return (reason != null && !String.valueOf(reason).isEmpty()) ? String.valueOf(reason) : null;
	}

	private ResumeClaim claimed(ClaimRequest request, String id, List<?> reply) {
		long epoch = Long.parseLong(String.valueOf(reply.get(1)));
		String previousOwner = String.valueOf(reply.get(2));
		long previousEpoch = Long.parseLong(String.valueOf(reply.get(3)));
		boolean handedOver = "1".equals(String.valueOf(reply.get(4)));
		long written = Long.parseLong(String.valueOf(reply.get(5)));
		long delivered = Long.parseLong(String.valueOf(reply.get(6)));
		boolean ownerAlive = reply.size() > 7 && !"0".equals(String.valueOf(reply.get(7)));
		boolean stayed = epoch == previousEpoch;
		RedisJournal journal = new RedisJournal(this, id, epoch);
		journal.tokenKnown(RedisKeys.tokenHash(request.token()));
		if (!stayed) {
			this.owned.add(journal);
		}
		// The stream is final for this epoch once claimed (the previous owner's appends go to its
		// old name): read before waiting for that owner, whom a replay that cannot be made need not wait for.
		List<WebSocketMessage<?>> replay;
		try {
			replay = stayed ? List.of() : read(id, epoch, request.last(), written);
		}
		catch (ResumeStoreException ex) {
			released(journal);
			throw ex;
		}
		if (replay == null) {
			// Redis lost frames this client lacks: it is not recovered. The session stays, claimed, for an
			// attempt that needs only later frames (the client's newer connection, when this one is stale);
			// unless one comes, it expires.
			released(journal);
			return ResumeClaim.Unknown.INSTANCE;
		}
		boolean released = false;
		if (!stayed && !handedOver && ownerAlive && !this.nodeId.equals(previousOwner)) {
			// The previous owner may be delivering a client message right now: wait until it
			// has stopped and recorded what it delivered, or the client's replay repeats it.
			Release release = awaitRelease(id, previousEpoch);
			if (release != null && release.recorded() > written) {
				// Redis lost its newest frames (a failover): nothing in the stream shows it.
				this.failureWarnings.warn(() -> "Redis resume store: session " + id + " is not recovered: frames "
						+ (written + 1) + " to " + release.recorded() + ", recorded by node " + previousOwner
						+ ", are gone from Redis (eviction, failover or restart)");
				released(journal);
				return ResumeClaim.Unknown.INSTANCE;
			}
			released = release != null;
			if (released) {
				delivered = Math.max(delivered, release.delivered());
			}
		}
		ResumeClaim.SessionOrigin origin = new ResumeClaim.SessionOrigin(previousOwner, stayed, handedOver,
				stayed || ownerAlive, released);
		return new ResumeClaim.Claimed(journal, origin, written, delivered, replay);
	}

	/**
	 * Wait, briefly, for the previous owner to record what it delivered.
	 * @return what it recorded, or {@code null} if it did not release in time
	 */
	private @Nullable Release awaitRelease(String id, long previousEpoch) {
		String hash = this.keys.hash(id);
		long deadline = System.nanoTime() + RELEASE_TIMEOUT.toNanos();
		long pause = TimeUnit.MILLISECONDS.toNanos(1);
		while (true) {
			List<Object> fields = call(
					() -> this.redis.opsForHash().multiGet(hash, List.of("released", "delivered", "recorded")),
					"read a release");
			Object released = (fields != null && !fields.isEmpty()) ? fields.get(0) : null;
			if (released != null && Long.parseLong(String.valueOf(released)) >= previousEpoch) {
				Object recorded = fields.get(2);
				return new Release(Long.parseLong(String.valueOf(fields.get(1))),
						(recorded != null) ? Long.parseLong(String.valueOf(recorded)) : 0);
			}
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				// The app learns it from the session's origin; operators from this line.
				this.releaseWarnings.warn(() -> "Session " + id + ": the previous owner, still running, did not "
						+ "record what it delivered within " + RELEASE_TIMEOUT.toSeconds() + " s; client messages it "
						+ "delivered last may be delivered again here");
				return null;
			}
			LockSupport.parkNanos(Math.min(pause, left));
			pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(50));
		}
	}

	/**
	 * The frames after the client's {@code last}, up to the highest written.
	 * @return every one of them, or {@code null} when Redis lost some
	 */
	private @Nullable List<WebSocketMessage<?>> read(String id, long epoch, long last, long written) {
		if (written <= last) {
			return List.of();
		}
		List<?> reply = call(() -> RedisScripts.runForBytes(this.redis, RedisScripts.READ, this.keys.session(id, epoch),
				List.of(Long.toString(last + 1))), "read a session's frames");
		List<WebSocketMessage<?>> messages = new ArrayList<>((int) Math.min(written - last, 1024));
		if (reply != null && reply.size() > 1) {
			RedisFrames.read((List<?>) reply.get(1), last + 1, written, messages);
		}
		long expected = last + 1 + messages.size();
		if (expected != written + 1) {
			Object now = (reply != null && !reply.isEmpty()) ? reply.get(0) : null;
			if (now instanceof byte[] bytes && Long.parseLong(new String(bytes, StandardCharsets.US_ASCII)) != epoch) {
				// Taken by another attempt meanwhile, which trimmed what its client had.
				throw new SessionMovedException("Session " + id + " was resumed by another connection meanwhile");
			}
			String lost = (now == null) ? "the session is gone from Redis"
					: "frame " + expected + ", which its client lacks, is gone from Redis";
			this.failureWarnings.warn(() -> "Redis resume store: session " + id + " is not recovered: " + lost
					+ " (eviction, failover or restart)");
			return null;
		}
		return messages;
	}

	@Override
	public void onMovedAway(MovedListener listener) {
		this.movedListeners.add(listener);
	}

	/** A message on this node's channel: {@code <journal id> <epoch>}. */
	private void moved(String message) {
		int space = message.indexOf(' ');
		if (space < 0) {
			return;
		}
		String id = message.substring(0, space);
		long epoch = Long.parseLong(message.substring(space + 1));
		this.owned.removeIf((journal) -> journal.id().equals(id) && journal.epoch() < epoch);
		this.movedListeners.forEach((listener) -> listener.movedAway(id, epoch));
	}

	/**
	 * Return how many store operations failed since start-up.
	 * @return the failure count
	 */
	public long getFailures() {
		return this.failures.get();
	}

	// ---- for the journals

	RedisKeys keys() {
		return this.keys;
	}

	String ttl() {
		return Long.toString(this.window.toMillis());
	}

	StringRedisTemplate redis() {
		return this.redis;
	}

	Duration window() {
		return this.window;
	}

	/** How long a write waits for Redis: Lettuce's command timeout. */
	Duration commandTimeout() {
		return this.commandTimeout;
	}

	void released(RedisJournal journal) {
		this.owned.remove(journal);
	}

	/** Run a store operation; a failure is counted, logged at WARN (rate-limited) and thrown. */
	<T> T call(Supplier<@Nullable T> operation, String what) {
		try {
			T result = operation.get();
			if (result == null) {
				@SuppressWarnings("unchecked")
				T none = (T) null;
				return none;
			}
			return result;
		}
		catch (ResumeStoreException ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			this.failures.incrementAndGet();
			warn(() -> "Redis resume store: failed to " + what + ": " + ex.getMessage(), null);
			throw new ResumeStoreException("Redis resume store: failed to " + what, ex);
		}
	}

	private void warn(Supplier<String> line, @Nullable Throwable ex) {
		this.failureWarnings.warn(line);
		if (ex != null && logger.isDebugEnabled()) {
			logger.debug(line.get(), ex);
		}
	}

	/** Keep the keys of this node's sessions from expiring while they are quiet. */
	private void refresh() {
		List<RedisJournal> journals = List.copyOf(this.owned);
		if (journals.isEmpty()) {
			return;
		}
		try {
			long ttl = this.window.toMillis();
			this.redis.executePipelined((RedisCallback<Object>) (connection) -> {
				for (RedisJournal journal : journals) {
					for (String key : journal.keysToRefresh()) {
						connection.keyCommands().pExpire(key.getBytes(StandardCharsets.UTF_8), ttl);
					}
				}
				return null;
			});
		}
		catch (RuntimeException ex) {
			this.failures.incrementAndGet();
			warn(() -> "Redis resume store: failed to refresh " + journals.size() + " session(s): " + ex.getMessage(),
					ex);
		}
	}

	@Override
	public void destroy() throws Exception {
		this.refresher.shutdownNow();
		this.listeners.destroy();
	}

	static String principal(@Nullable String name) {
		return (name != null) ? ":" + name : "-";
	}

	private static String newId(SecureRandom random) {
		byte[] bytes = new byte[ID_BYTES];
		random.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	private static CustomizableThreadFactory daemonThreads(String prefix) {
		CustomizableThreadFactory threadFactory = new CustomizableThreadFactory(prefix);
		threadFactory.setDaemon(true);
		return threadFactory;
	}

	/**
	 * What a previous owner recorded as it let the session go.
	 * @param delivered the last client sequence it delivered
	 * @param recorded the highest sequence it recorded
	 */
	private record Release(long delivered, long recorded) {
	}

}

package io.github.wsdrain.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.wsdrain.session.SendOverflowPolicy;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties for draining WebSocket server sessions.
 */
@ConfigurationProperties("wsdrain.server")
public class WsDrainServerProperties {

	/** Whether to drain WebSocket server sessions before closing them. */
	private boolean enabled = true;

	/** Most payload bytes queued per session before the overflow policy applies. */
	private DataSize sendBufferSize = DataSize.ofMegabytes(1);

	/** How long a sender waits for room in a full send buffer under the block policy, and how long one write to a peer may take before the session closes with 1011. */
	private Duration sendTimeLimit = Duration.ofSeconds(10);

	/** What happens when a message does not fit in the send buffer. */
	private SendOverflowPolicy overflow = SendOverflowPolicy.BLOCK;

	/** Longest time a closing session may spend flushing its queue before the close frame. */
	private Duration drainTimeout = Duration.ofSeconds(10);

	/** Most threads of the server's executor, which runs drains, close frames and acknowledgements. */
	private int maxThreads = 256;

	/** Most tasks waiting for a thread of the server's executor; past it the submitting thread runs the task. */
	private int maxQueuedTasks = 10000;

	/** Path patterns of WebSocket endpoints to leave as Spring serves them. */
	private List<String> excludedPaths = new ArrayList<>();

	private final CloseBarrier closeBarrier = new CloseBarrier();

	private final Shutdown shutdown = new Shutdown();

	private final Resume resume = new Resume();

	private final BrowserClient browserClient = new BrowserClient();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public DataSize getSendBufferSize() {
		return this.sendBufferSize;
	}

	public void setSendBufferSize(DataSize sendBufferSize) {
		this.sendBufferSize = sendBufferSize;
	}

	public Duration getSendTimeLimit() {
		return this.sendTimeLimit;
	}

	public void setSendTimeLimit(Duration sendTimeLimit) {
		this.sendTimeLimit = sendTimeLimit;
	}

	public SendOverflowPolicy getOverflow() {
		return this.overflow;
	}

	public void setOverflow(SendOverflowPolicy overflow) {
		this.overflow = overflow;
	}

	public Duration getDrainTimeout() {
		return this.drainTimeout;
	}

	public void setDrainTimeout(Duration drainTimeout) {
		this.drainTimeout = drainTimeout;
	}

	public int getMaxThreads() {
		return this.maxThreads;
	}

	public void setMaxThreads(int maxThreads) {
		this.maxThreads = maxThreads;
	}

	public int getMaxQueuedTasks() {
		return this.maxQueuedTasks;
	}

	public void setMaxQueuedTasks(int maxQueuedTasks) {
		this.maxQueuedTasks = maxQueuedTasks;
	}

	public List<String> getExcludedPaths() {
		return this.excludedPaths;
	}

	public void setExcludedPaths(List<String> excludedPaths) {
		this.excludedPaths = excludedPaths;
	}

	public CloseBarrier getCloseBarrier() {
		return this.closeBarrier;
	}

	public Shutdown getShutdown() {
		return this.shutdown;
	}

	/**
	 * The Ping a closing session sends after its last message, whose Pong proves that the
	 * client has parsed every message before the close frame.
	 */
	public static class CloseBarrier {

		/** Whether a closing session waits for the client's Pong to a last Ping before the close frame. */
		private boolean enabled = true;

		/** Longest wait for that Pong; the rest of the drain timeout bounds it too. */
		private Duration timeout = Duration.ofSeconds(5);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

	/**
	 * Draining every session when the application stops.
	 */
	public static class Shutdown {

		/** Whether to drain and close every session before the web server stops. */
		private boolean enabled = true;

		/** Longest time the whole drain may take; keep it below spring.lifecycle.timeout-per-shutdown-phase. */
		private Duration timeout = Duration.ofSeconds(25);

		/** Close code sent to every session on shutdown. */
		private int closeStatus = 1001;

		/** Close reason sent to every session on shutdown. */
		private String closeReason = "Server shutting down";

		/** Delay sent in the Retry-After header of handshakes refused during a drain. */
		private Duration retryAfter = Duration.ofSeconds(5);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public int getCloseStatus() {
			return this.closeStatus;
		}

		public void setCloseStatus(int closeStatus) {
			this.closeStatus = closeStatus;
		}

		public String getCloseReason() {
			return this.closeReason;
		}

		public void setCloseReason(String closeReason) {
			this.closeReason = closeReason;
		}

		public Duration getRetryAfter() {
			return this.retryAfter;
		}

		public void setRetryAfter(Duration retryAfter) {
			this.retryAfter = retryAfter;
		}

	}

	/**
	 * Set the resume ack timeout under its former name, {@code wsdrain.server.ack-timeout}:
	 * write-only, so that the key binds while its metadata (deprecated, with its
	 * replacement) comes from {@code additional-spring-configuration-metadata.json}.
	 * @param ackTimeout the ack timeout
	 * @deprecated in favour of {@code wsdrain.server.resume.ack-timeout}
	 */
	@Deprecated(since = "0.1.0")
	public void setAckTimeout(Duration ackTimeout) {
		this.resume.setAckTimeout(ackTimeout);
	}

	public Resume getResume() {
		return this.resume;
	}

	public BrowserClient getBrowserClient() {
		return this.browserClient;
	}

	/**
	 * The browser client, /wsdrain/wsdrain.js.
	 */
	public static class BrowserClient {

		/** Whether to serve /wsdrain/** with its own cache header (the module stays on the class path either way). */
		private boolean enabled = true;

		/** How long browsers may use /wsdrain/wsdrain.js before revalidating it. */
		private Duration cachePeriod = Duration.ofHours(1);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getCachePeriod() {
			return this.cachePeriod;
		}

		public void setCachePeriod(Duration cachePeriod) {
			this.cachePeriod = cachePeriod;
		}

	}

	/**
	 * Resumable sessions for clients that negotiate the wsdrain.v1 sub-protocol.
	 */
	public static class Resume {

		/** Whether to offer the wsdrain.v1 sub-protocol: acknowledged, resumable sessions. */
		private boolean enabled = true;

		/** How long a session whose connection was lost is kept for the client to resume it. */
		private Duration window = Duration.ofMinutes(2);

		/** Bytes of sent but unacknowledged messages every session may keep for replay, whatever the others hold. */
		private DataSize bufferSize = DataSize.ofMegabytes(1);

		/** Replay buffer of a session when its connection goes live, and the most it grows to; it falls towards buffer-size for a slow reader. */
		private DataSize maxBufferSize = DataSize.ofMegabytes(32);

		/** Most bytes all replay buffers together may hold beyond buffer-size; unset means an eighth of the maximum heap. */
		private @Nullable DataSize sharedBufferSize;

		/** Longest time a closing session waits for the client to acknowledge everything sent. */
		private Duration ackTimeout = Duration.ofSeconds(5);

		/** Silence after which the server repeats its last acknowledgement; clients treat twice this without a frame as a lost connection. */
		private Duration heartbeat = Duration.ofSeconds(25);

		/** Most sessions kept waiting for a resume; past it the oldest is ended and its client gets not recovered. */
		private int maxDetachedSessions = 10000;

		/** Most bytes all sessions waiting for a resume may hold; unset means a quarter of the maximum heap. */
		private @Nullable DataSize maxDetachedBytes;

		/** Most sessions kept waiting for a resume per client address (as the server sees it). */
		private int maxDetachedSessionsPerAddress = 1000;

		/** Most bytes the sessions waiting for a resume may hold per client address. */
		private DataSize maxDetachedBytesPerAddress = DataSize.ofMegabytes(64);

		/** Most sessions kept waiting for a resume per authenticated principal. */
		private int maxDetachedSessionsPerPrincipal = 100;

		/** Most bytes the sessions waiting for a resume may hold per authenticated principal. */
		private DataSize maxDetachedBytesPerPrincipal = DataSize.ofMegabytes(64);

		/** Where sessions are kept: memory (this node only) or redis (shared, so that a client can resume on any node). */
		private Store store = Store.MEMORY;

		private final Redis redis = new Redis();

		public Store getStore() {
			return this.store;
		}

		public void setStore(Store store) {
			this.store = store;
		}

		public Redis getRedis() {
			return this.redis;
		}

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getWindow() {
			return this.window;
		}

		public void setWindow(Duration window) {
			this.window = window;
		}

		public DataSize getBufferSize() {
			return this.bufferSize;
		}

		public void setBufferSize(DataSize bufferSize) {
			this.bufferSize = bufferSize;
		}

		public DataSize getMaxBufferSize() {
			return this.maxBufferSize;
		}

		public void setMaxBufferSize(DataSize maxBufferSize) {
			this.maxBufferSize = maxBufferSize;
		}

		public @Nullable DataSize getSharedBufferSize() {
			return this.sharedBufferSize;
		}

		public void setSharedBufferSize(@Nullable DataSize sharedBufferSize) {
			this.sharedBufferSize = sharedBufferSize;
		}

		public Duration getAckTimeout() {
			return this.ackTimeout;
		}

		public void setAckTimeout(Duration ackTimeout) {
			this.ackTimeout = ackTimeout;
		}

		public Duration getHeartbeat() {
			return this.heartbeat;
		}

		public void setHeartbeat(Duration heartbeat) {
			this.heartbeat = heartbeat;
		}

		public int getMaxDetachedSessions() {
			return this.maxDetachedSessions;
		}

		public void setMaxDetachedSessions(int maxDetachedSessions) {
			this.maxDetachedSessions = maxDetachedSessions;
		}

		public @Nullable DataSize getMaxDetachedBytes() {
			return this.maxDetachedBytes;
		}

		public void setMaxDetachedBytes(@Nullable DataSize maxDetachedBytes) {
			this.maxDetachedBytes = maxDetachedBytes;
		}

		public int getMaxDetachedSessionsPerAddress() {
			return this.maxDetachedSessionsPerAddress;
		}

		public void setMaxDetachedSessionsPerAddress(int maxDetachedSessionsPerAddress) {
			this.maxDetachedSessionsPerAddress = maxDetachedSessionsPerAddress;
		}

		public DataSize getMaxDetachedBytesPerAddress() {
			return this.maxDetachedBytesPerAddress;
		}

		public void setMaxDetachedBytesPerAddress(DataSize maxDetachedBytesPerAddress) {
			this.maxDetachedBytesPerAddress = maxDetachedBytesPerAddress;
		}

		public int getMaxDetachedSessionsPerPrincipal() {
			return this.maxDetachedSessionsPerPrincipal;
		}

		public void setMaxDetachedSessionsPerPrincipal(int maxDetachedSessionsPerPrincipal) {
			this.maxDetachedSessionsPerPrincipal = maxDetachedSessionsPerPrincipal;
		}

		public DataSize getMaxDetachedBytesPerPrincipal() {
			return this.maxDetachedBytesPerPrincipal;
		}

		public void setMaxDetachedBytesPerPrincipal(DataSize maxDetachedBytesPerPrincipal) {
			this.maxDetachedBytesPerPrincipal = maxDetachedBytesPerPrincipal;
		}

		/**
		 * Where {@code wsdrain.v1} sessions are kept.
		 */
		public enum Store {

			/** In this node's memory: a resume on another node is not recovered. */
			MEMORY,

			/** In Redis, through the app's {@code RedisConnectionFactory}: any node can resume a session. */
			REDIS

		}

		/**
		 * Settings of the Redis store.
		 */
		public static class Redis {

			/** What the store's Redis keys and channels start with; nodes that share sessions use the same. */
			private String keyPrefix = "wsdrain";

			/** This node's id among the nodes that share sessions; unset means a random id per start. */
			private @Nullable String nodeId;

			public String getKeyPrefix() {
				return this.keyPrefix;
			}

			public void setKeyPrefix(String keyPrefix) {
				this.keyPrefix = keyPrefix;
			}

			public @Nullable String getNodeId() {
				return this.nodeId;
			}

			public void setNodeId(@Nullable String nodeId) {
				this.nodeId = nodeId;
			}

		}

	}

}

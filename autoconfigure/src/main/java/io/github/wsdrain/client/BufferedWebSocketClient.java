package io.github.wsdrain.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.SimpleAsyncTaskScheduler;
import org.springframework.util.Assert;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.client.WebSocketClient;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;

/**
 * Pull-style WebSocket client on top of any Spring {@link WebSocketClient}.
 * <p>
 * Each {@link #connect(URI) connection} buffers the messages it receives (whole
 * messages, fragments assembled) in a bounded buffer, and returns them from
 * {@link BufferedWebSocketConnection#receive()} in arrival order. When the connection
 * ends, normally or abruptly, every message that arrived before the end is returned
 * first; only then does {@code receive()} throw a {@link ConnectionClosedException}.
 * <pre class="code">
 * try (BufferedWebSocketConnection connection = client.connect(URI.create("ws://localhost:8080/feed"))) {
 *     connection.sendText("subscribe");
 *     WebSocketMessage&lt;?&gt; message = connection.receive();
 * }
 * </pre>
 * Settings apply to connections opened afterwards: each connection keeps the settings it
 * was opened with.
 * <p>
 * Reliable connections acknowledge and reconnect on the client's
 * {@link #setTaskScheduler task scheduler}, which the client owns: {@link #close()} closes
 * the connections still open, then the scheduler.
 */
public class BufferedWebSocketClient implements AutoCloseable {

	private final WebSocketClient webSocketClient;

	private final TransportOpener transports;

	private Duration connectTimeout = Duration.ofSeconds(10);

	private Duration receiveTimeout = Duration.ofSeconds(30);

	private Duration closeTimeout = Duration.ofSeconds(10);

	private int maxBufferedMessages = 1000;

	private DataSize maxBufferedBytes = DataSize.ofMegabytes(4);

	private ReceiveOverflowPolicy overflowPolicy = ReceiveOverflowPolicy.BLOCK;

	private boolean reliable;

	private DataSize replayBufferSize = DataSize.ofMegabytes(1);

	private Duration sendTimeLimit = Duration.ofSeconds(10);

	private BackOff reconnectBackOff = reconnectBackOff(Duration.ofMillis(100), Duration.ofSeconds(10), 2.0, 20);

	private Duration heartbeatTimeout = Duration.ofSeconds(50);

	private final OpenedConnections opened = new OpenedConnections();

	private final ClientThreads threads = new ClientThreads();

	/**
	 * Create a client on a {@link StandardWebSocketClient} (JSR-356 container found on
	 * the class path).
	 */
	public BufferedWebSocketClient() {
		this(new StandardWebSocketClient());
	}

	/**
	 * Create a client on the given Spring WebSocket client.
	 * @param webSocketClient the client that opens the connections
	 */
	public BufferedWebSocketClient(WebSocketClient webSocketClient) {
		Assert.notNull(webSocketClient, "WebSocketClient must not be null");
		this.webSocketClient = webSocketClient;
		this.transports = new TransportOpener(webSocketClient);
	}

	/**
	 * Open a connection: a {@link ReliableWebSocketConnection} if this client is
	 * {@link #setReliable(boolean) reliable}, else a plain one.
	 * @param uri the {@code ws} or {@code wss} URI
	 * @return the open connection
	 * @throws IllegalArgumentException if the URI is not an absolute ws/wss URI with a host
	 * @throws WebSocketConnectException if the connection cannot be opened
	 */
	public BufferedWebSocketConnection connect(URI uri) {
		return connect(uri, null);
	}

	/**
	 * Open a connection with handshake headers, for example sub-protocols with
	 * {@link WebSocketHttpHeaders#setSecWebSocketProtocol(java.util.List)} (a reliable
	 * connection sets its own).
	 * @param uri the {@code ws} or {@code wss} URI
	 * @param headers the handshake headers, or {@code null}
	 * @return the open connection
	 * @throws IllegalArgumentException if the URI is not an absolute ws/wss URI with a host
	 * @throws WebSocketConnectException if the connection cannot be opened
	 */
	public BufferedWebSocketConnection connect(URI uri, @Nullable WebSocketHttpHeaders headers) {
		if (this.reliable) {
			return connectReliable(uri, headers, null);
		}
		TransportConnection connection = this.transports.open(uri,
				(headers != null) ? headers : new WebSocketHttpHeaders(), null, settings());
		this.opened.add(connection);
		return connection;
	}

	/**
	 * Open a reliable connection, whatever {@link #setReliable(boolean)} says.
	 * @param uri the {@code ws} or {@code wss} URI of an endpoint that accepts
	 * {@code wsdrain.v1}
	 * @param listener told about reconnects, resumes and the end, or {@code null}
	 * @return the open connection
	 * @throws IllegalArgumentException if the URI is not an absolute ws/wss URI with a host
	 * @throws WebSocketConnectException if the connection cannot be opened or the server
	 * does not accept {@code wsdrain.v1}
	 */
	public ReliableWebSocketConnection connectReliable(URI uri, @Nullable ReliableConnectionListener listener) {
		return connectReliable(uri, null, listener);
	}

	/**
	 * Open a reliable connection with handshake headers, sent again on every reconnect.
	 * @param uri the {@code ws} or {@code wss} URI of an endpoint that accepts
	 * {@code wsdrain.v1}
	 * @param headers the handshake headers, or {@code null}
	 * @param listener told about reconnects, resumes and the end, or {@code null}
	 * @return the open connection
	 * @throws IllegalArgumentException if the URI is not an absolute ws/wss URI with a host
	 * @throws WebSocketConnectException if the server cannot be reached within the connect
	 * timeout (attempts are repeated with the reconnect back-off meanwhile) or does not
	 * accept {@code wsdrain.v1}
	 */
	public ReliableWebSocketConnection connectReliable(URI uri, @Nullable WebSocketHttpHeaders headers,
			@Nullable ReliableConnectionListener listener) {
		TransportOpener.validate(uri);
		ConnectionSettings settings = settings();
		TaskScheduler scheduler = this.threads.scheduler();
		Executor executor = ClientThreads.executor(scheduler);
		ReliableConnection connection = new ReliableConnection(uri, headers, settings, listener,
				(transportUri, transportHeaders, link) -> this.transports.open(transportUri, transportHeaders, link,
						settings),
				scheduler, executor);
		connection.open();
		this.opened.add(connection);
		return connection;
	}

	/**
	 * Close the connections still open (reliable ones with 1000 once the server has
	 * acknowledged what they sent, up to the close timeout; plain ones with 1001), then
	 * stop the client's threads. No connection can be opened afterwards.
	 */
	@Override
	public void close() {
		this.threads.close(this.opened.open()
			.stream()
			.<Runnable>map((connection) -> () -> connection
				.close((connection instanceof ReliableWebSocketConnection) ? CloseStatus.NORMAL : CloseStatus.GOING_AWAY))
			.toList());
	}

	/**
	 * Set the scheduler reliable connections acknowledge and reconnect on; its tasks may
	 * block for up to the connect timeout, so one thread per task
	 * ({@link SimpleAsyncTaskScheduler}, with virtual threads where enabled) suits it.
	 * The client owns it: {@link #close()} closes it. By default the client creates a
	 * {@code SimpleAsyncTaskScheduler} when a reliable connection opens, whose tasks run on
	 * daemon threads kept for 30 s once idle: acknowledgements, up to 500 a second per
	 * connection, then do not each start a thread.
	 * @param taskScheduler the scheduler
	 */
	public void setTaskScheduler(TaskScheduler taskScheduler) {
		Assert.notNull(taskScheduler, "taskScheduler must not be null");
		this.threads.set(taskScheduler);
	}

	/** The settings a connection opened now keeps. */
	private ConnectionSettings settings() {
		return new ConnectionSettings(this.connectTimeout, this.receiveTimeout, this.closeTimeout,
				this.maxBufferedMessages, this.maxBufferedBytes.toBytes(), this.overflowPolicy,
				this.replayBufferSize.toBytes(), this.sendTimeLimit, this.reconnectBackOff, this.heartbeatTimeout);
	}

	/**
	 * Return totals over the connections this client opened: how many are open, what
	 * they buffer, and counts of drops, reconnects and duplicates that include ended
	 * connections. Costs one pass over the connections not yet ended.
	 * @return the totals now
	 */
	public ConnectionTotals getConnectionTotals() {
		return this.opened.totals();
	}

	/**
	 * Return the Spring WebSocket client that opens the connections.
	 * @return the underlying client
	 */
	public WebSocketClient getWebSocketClient() {
		return this.webSocketClient;
	}

	/**
	 * Return the maximum time to wait for the opening handshake.
	 * @return the connect timeout
	 */
	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	/**
	 * Set the maximum time to wait for the opening handshake.
	 * @param connectTimeout the connect timeout, positive
	 */
	public void setConnectTimeout(Duration connectTimeout) {
		Assert.isTrue(connectTimeout != null && isPositive(connectTimeout), "connectTimeout must be positive");
		this.connectTimeout = connectTimeout;
	}

	/**
	 * Return how long {@link BufferedWebSocketConnection#receive()} waits for a message.
	 * @return the receive timeout
	 */
	public Duration getReceiveTimeout() {
		return this.receiveTimeout;
	}

	/**
	 * Set how long {@link BufferedWebSocketConnection#receive()} waits for a message.
	 * @param receiveTimeout the receive timeout, positive
	 */
	public void setReceiveTimeout(Duration receiveTimeout) {
		Assert.isTrue(receiveTimeout != null && isPositive(receiveTimeout), "receiveTimeout must be positive");
		this.receiveTimeout = receiveTimeout;
	}

	/**
	 * Return how long {@link BufferedWebSocketConnection#close()} waits for the peer's
	 * close frame before ending the connection.
	 * @return the close timeout
	 */
	public Duration getCloseTimeout() {
		return this.closeTimeout;
	}

	/**
	 * Set how long {@link BufferedWebSocketConnection#close()} waits for the peer's close
	 * frame before ending the connection.
	 * @param closeTimeout the close timeout, positive
	 */
	public void setCloseTimeout(Duration closeTimeout) {
		Assert.isTrue(closeTimeout != null && isPositive(closeTimeout), "closeTimeout must be positive");
		this.closeTimeout = closeTimeout;
	}

	/**
	 * Return the maximum number of received messages buffered per connection.
	 * @return the message bound
	 */
	public int getMaxBufferedMessages() {
		return this.maxBufferedMessages;
	}

	/**
	 * Set the maximum number of received messages buffered per connection.
	 * @param maxBufferedMessages the message bound, positive
	 */
	public void setMaxBufferedMessages(int maxBufferedMessages) {
		Assert.isTrue(maxBufferedMessages > 0, "maxBufferedMessages must be positive");
		this.maxBufferedMessages = maxBufferedMessages;
	}

	/**
	 * Return the maximum size of the received messages buffered per connection; also the
	 * largest message accepted.
	 * @return the byte bound
	 */
	public DataSize getMaxBufferedBytes() {
		return this.maxBufferedBytes;
	}

	/**
	 * Set the maximum size of the received messages buffered per connection; also the
	 * largest message accepted (a larger one closes the connection with 1009).
	 * @param maxBufferedBytes the byte bound, positive
	 */
	public void setMaxBufferedBytes(DataSize maxBufferedBytes) {
		Assert.isTrue(maxBufferedBytes != null && maxBufferedBytes.toBytes() > 0, "maxBufferedBytes must be positive");
		this.maxBufferedBytes = maxBufferedBytes;
	}

	/**
	 * Return what happens when a message arrives and the buffer is full.
	 * @return the overflow policy
	 */
	public ReceiveOverflowPolicy getOverflowPolicy() {
		return this.overflowPolicy;
	}

	/**
	 * Set what happens when a message arrives and the buffer is full.
	 * @param overflowPolicy the overflow policy
	 */
	public void setOverflowPolicy(ReceiveOverflowPolicy overflowPolicy) {
		Assert.notNull(overflowPolicy, "overflowPolicy must not be null");
		this.overflowPolicy = overflowPolicy;
	}

	/**
	 * Return whether {@link #connect(URI)} opens reliable connections.
	 * @return whether reliable by default
	 */
	public boolean isReliable() {
		return this.reliable;
	}

	/**
	 * Set whether {@link #connect(URI)} opens {@link ReliableWebSocketConnection reliable
	 * connections} (the server must accept {@code wsdrain.v1}).
	 * @param reliable whether reliable by default
	 */
	public void setReliable(boolean reliable) {
		this.reliable = reliable;
	}

	/**
	 * Return the most bytes a reliable connection keeps of its sent messages until the
	 * server acknowledges them.
	 * @return the replay buffer size
	 */
	public DataSize getReplayBufferSize() {
		return this.replayBufferSize;
	}

	/**
	 * Set the most bytes a reliable connection keeps of its sent messages until the
	 * server acknowledges them; a send waits for room.
	 * @param replayBufferSize the replay buffer size, positive
	 */
	public void setReplayBufferSize(DataSize replayBufferSize) {
		Assert.isTrue(replayBufferSize != null && replayBufferSize.toBytes() > 0, "replayBufferSize must be positive");
		this.replayBufferSize = replayBufferSize;
	}

	/**
	 * Return how long a send on a reliable connection waits for room in its replay buffer.
	 * @return the send time limit
	 */
	public Duration getSendTimeLimit() {
		return this.sendTimeLimit;
	}

	/**
	 * Set how long a send on a reliable connection waits for room in its replay buffer
	 * before it fails with a {@link SendTimeoutException}.
	 * @param sendTimeLimit the send time limit, positive
	 */
	public void setSendTimeLimit(Duration sendTimeLimit) {
		Assert.isTrue(sendTimeLimit != null && isPositive(sendTimeLimit), "sendTimeLimit must be positive");
		this.sendTimeLimit = sendTimeLimit;
	}

	/**
	 * Return how a reliable connection spaces its reconnect attempts after a loss.
	 * @return the back-off
	 */
	public BackOff getReconnectBackOff() {
		return this.reconnectBackOff;
	}

	/**
	 * Set how a reliable connection spaces its reconnect attempts after a loss; each loss
	 * starts a new {@link BackOff#start() execution}. The server's resume window also
	 * ends the attempts.
	 * @param reconnectBackOff the back-off
	 * @see #reconnectBackOff(Duration, Duration, double, int)
	 */
	public void setReconnectBackOff(BackOff reconnectBackOff) {
		Assert.notNull(reconnectBackOff, "reconnectBackOff must not be null");
		this.reconnectBackOff = reconnectBackOff;
	}

	/**
	 * Create the default kind of reconnect back-off: exponential, with jitter so that
	 * clients cut off together do not come back together. Attempt {@code n} waits about
	 * {@code min(maxDelay, initialDelay × multiplier^(n-1))}, give or take half (never
	 * less than the initial delay nor more than the maximum).
	 * @param initialDelay the delay before the first attempt, not negative
	 * @param maxDelay the longest delay, not shorter than the initial one
	 * @param multiplier how much the delay grows per attempt, at least 1
	 * @param maxAttempts attempts before giving up, positive
	 * @return the back-off
	 */
	public static ExponentialBackOff reconnectBackOff(Duration initialDelay, Duration maxDelay, double multiplier,
			int maxAttempts) {
		Assert.isTrue(initialDelay != null && !initialDelay.isNegative(), "initialDelay must not be negative");
		Assert.isTrue(maxDelay != null && maxDelay.compareTo(initialDelay) >= 0,
				"maxDelay must not be shorter than initialDelay");
		Assert.isTrue(multiplier >= 1.0, "multiplier must be at least 1");
		Assert.isTrue(maxAttempts > 0, "maxAttempts must be positive");
		ExponentialBackOff backOff = new ExponentialBackOff(initialDelay.toMillis(), multiplier);
		backOff.setMaxInterval(maxDelay.toMillis());
		backOff.setMaxAttempts(maxAttempts);
		// Spring scales the jitter with the interval: half the initial delay is half of each delay.
		backOff.setJitter(initialDelay.toMillis() / 2);
		return backOff;
	}

	/**
	 * Return how long a reliable connection may go without any frame from the server
	 * before it is given up and resumed.
	 * @return the heartbeat timeout
	 */
	public Duration getHeartbeatTimeout() {
		return this.heartbeatTimeout;
	}

	/**
	 * Set how long a reliable connection may go without any frame from the server before
	 * it is given up and resumed: twice the server's {@code wsdrain.server.resume.heartbeat}.
	 * @param heartbeatTimeout the heartbeat timeout, positive
	 */
	public void setHeartbeatTimeout(Duration heartbeatTimeout) {
		Assert.isTrue(heartbeatTimeout != null && isPositive(heartbeatTimeout), "heartbeatTimeout must be positive");
		this.heartbeatTimeout = heartbeatTimeout;
	}

	private static boolean isPositive(Duration duration) {
		return !duration.isNegative() && !duration.isZero();
	}

}

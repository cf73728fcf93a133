package io.github.wsdrain.client;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;
import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.WebSocketSession;
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
 * Settings apply to connections opened afterwards.
 */
public class BufferedWebSocketClient {

	private final WebSocketClient webSocketClient;

	private Duration connectTimeout = Duration.ofSeconds(10);

	private Duration receiveTimeout = Duration.ofSeconds(30);

	private Duration closeTimeout = Duration.ofSeconds(10);

	private int maxBufferedMessages = 1000;

	private DataSize maxBufferedBytes = DataSize.ofMegabytes(4);

	private OverflowPolicy overflowPolicy = OverflowPolicy.BLOCK;

	private boolean reliable;

	private DataSize replayBufferSize = DataSize.ofMegabytes(1);

	private Duration replaySendTimeout = Duration.ofSeconds(10);

	private ReconnectBackoff reconnectBackoff = ReconnectBackoff.DEFAULT;

	private Duration heartbeatTimeout = Duration.ofSeconds(50);

	private final OpenedConnections opened = new OpenedConnections();

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
		TransportConnection connection = openTransport(uri,
				(headers != null) ? headers : new WebSocketHttpHeaders(), null);
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
	 * @throws WebSocketConnectException if the connection cannot be opened or the server
	 * does not accept {@code wsdrain.v1}
	 */
	public ReliableWebSocketConnection connectReliable(URI uri, @Nullable WebSocketHttpHeaders headers,
			@Nullable ReliableConnectionListener listener) {
		validate(uri);
		ResumingConnection connection = new ResumingConnection(this, uri, headers, listener);
		connection.open();
		this.opened.add(connection);
		return connection;
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
	 * Open one transport connection, not counted in the totals: a plain connection is
	 * counted by {@link #connect(URI, WebSocketHttpHeaders)}, the transports of a
	 * reliable one through it. Reliable connections always block on a full buffer:
	 * a drop would break their guarantee.
	 */
	TransportConnection openTransport(URI uri, WebSocketHttpHeaders headers,
			TransportConnection.@Nullable Listener listener) {
		validate(uri);
		TransportConnection connection = new TransportConnection(uri, this.receiveTimeout, this.closeTimeout,
				this.maxBufferedMessages, this.maxBufferedBytes.toBytes(),
				(listener != null) ? OverflowPolicy.BLOCK : this.overflowPolicy, listener);
		CompletableFuture<WebSocketSession> future = this.webSocketClient.execute(connection.handler(), headers, uri);
		// On the completing thread, so that the reading thread may be held as soon as possible.
		future.thenAccept(connection::connected);
		try {
			WebSocketSession session = future.get(this.connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
			connection.connected(session);
			return connection;
		}
		catch (ExecutionException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			throw new WebSocketConnectException("Could not connect to " + uri + ": " + describe(cause), cause);
		}
		catch (TimeoutException ex) {
			future.cancel(true);
			connection.abandon();
			throw new WebSocketConnectException(
					"Could not connect to " + uri + ": no answer within " + this.connectTimeout.toMillis() + " ms", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			future.cancel(true);
			connection.abandon();
			throw new WebSocketConnectException("Interrupted while connecting to " + uri, ex);
		}
	}

	private static void validate(URI uri) {
		Assert.notNull(uri, "URI must not be null");
		String scheme = uri.getScheme();
		if (scheme == null || !(scheme.equalsIgnoreCase("ws") || scheme.equalsIgnoreCase("wss"))) {
			throw new IllegalArgumentException(
					"Invalid WebSocket URI '" + uri + "': the scheme must be ws or wss, was " + scheme);
		}
		if (uri.getHost() == null) {
			throw new IllegalArgumentException("Invalid WebSocket URI '" + uri + "': no host");
		}
	}

	/**
	 * Describe a failure by the messages of its causes, outermost first, without repeats.
	 */
	private static String describe(Throwable failure) {
		StringBuilder description = new StringBuilder();
		for (Throwable current = failure; current != null; current = current.getCause()) {
			String message = (current.getMessage() != null) ? current.getMessage() : current.getClass().getSimpleName();
			if (description.indexOf(message) < 0) {
				description.append((description.length() > 0) ? ": " : "").append(message);
			}
			if (current.getCause() == current) {
				break;
			}
		}
		return description.toString();
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
	public OverflowPolicy getOverflowPolicy() {
		return this.overflowPolicy;
	}

	/**
	 * Set what happens when a message arrives and the buffer is full.
	 * @param overflowPolicy the overflow policy
	 */
	public void setOverflowPolicy(OverflowPolicy overflowPolicy) {
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
	 * @return the send timeout
	 */
	public Duration getReplaySendTimeout() {
		return this.replaySendTimeout;
	}

	/**
	 * Set how long a send on a reliable connection waits for room in its replay buffer
	 * before it fails with a {@link SendTimeoutException}.
	 * @param replaySendTimeout the send timeout, positive
	 */
	public void setReplaySendTimeout(Duration replaySendTimeout) {
		Assert.isTrue(replaySendTimeout != null && isPositive(replaySendTimeout), "replaySendTimeout must be positive");
		this.replaySendTimeout = replaySendTimeout;
	}

	/**
	 * Return how a reliable connection spaces its reconnect attempts.
	 * @return the back-off
	 */
	public ReconnectBackoff getReconnectBackoff() {
		return this.reconnectBackoff;
	}

	/**
	 * Set how a reliable connection spaces its reconnect attempts.
	 * @param reconnectBackoff the back-off
	 */
	public void setReconnectBackoff(ReconnectBackoff reconnectBackoff) {
		Assert.notNull(reconnectBackoff, "reconnectBackoff must not be null");
		this.reconnectBackoff = reconnectBackoff;
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

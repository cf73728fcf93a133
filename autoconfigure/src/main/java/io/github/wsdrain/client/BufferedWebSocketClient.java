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
	 * Open a connection.
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
	 * {@link WebSocketHttpHeaders#setSecWebSocketProtocol(java.util.List)}.
	 * @param uri the {@code ws} or {@code wss} URI
	 * @param headers the handshake headers, or {@code null}
	 * @return the open connection
	 * @throws IllegalArgumentException if the URI is not an absolute ws/wss URI with a host
	 * @throws WebSocketConnectException if the connection cannot be opened
	 */
	public BufferedWebSocketConnection connect(URI uri, @Nullable WebSocketHttpHeaders headers) {
		validate(uri);
		BufferedWebSocketConnection connection = new BufferedWebSocketConnection(uri, this.receiveTimeout,
				this.closeTimeout, this.maxBufferedMessages, this.maxBufferedBytes.toBytes(), this.overflowPolicy);
		CompletableFuture<WebSocketSession> future = this.webSocketClient.execute(connection.handler(),
				(headers != null) ? headers : new WebSocketHttpHeaders(), uri);
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

	private static boolean isPositive(Duration duration) {
		return !duration.isNegative() && !duration.isZero();
	}

}

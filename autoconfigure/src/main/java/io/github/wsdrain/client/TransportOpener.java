package io.github.wsdrain.client;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.WebSocketClient;

/**
 * Opens {@link TransportConnection transport connections} with a Spring
 * {@link WebSocketClient}, within a connect timeout, for plain and reliable connections.
 */
final class TransportOpener {

	private final WebSocketClient webSocketClient;

	TransportOpener(WebSocketClient webSocketClient) {
		this.webSocketClient = webSocketClient;
	}

	/**
	 * Open one transport connection and wait for the opening handshake, up to the
	 * settings' connect timeout.
	 * @throws IllegalArgumentException if the URI is not an absolute ws/wss URI with a host
	 * @throws WebSocketConnectException if the connection cannot be opened
	 */
	TransportConnection open(URI uri, WebSocketHttpHeaders headers,
			TransportConnection.@Nullable Listener listener, ConnectionSettings settings) {
		validate(uri);
		Duration connectTimeout = settings.connectTimeout();
		TransportConnection connection = new TransportConnection(uri, settings, listener);
		CompletableFuture<WebSocketSession> future = this.webSocketClient.execute(connection.handler(), headers, uri);
		// On the completing thread, so that the reading thread may be held as soon as possible.
		future.thenAccept(connection::connected);
		try {
			WebSocketSession session = future.get(connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
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
					"Could not connect to " + uri + ": no answer within " + connectTimeout.toMillis() + " ms", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			future.cancel(true);
			connection.abandon();
			throw new WebSocketConnectException("Interrupted while connecting to " + uri, ex);
		}
	}

	/** Refuse what is not an absolute ws/wss URI with a host. */
	static void validate(URI uri) {
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

}

package io.github.wsdrain.server.resume;

import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.web.socket.WebSocketExtension;
import org.springframework.web.socket.WebSocketSession;

/**
 * The {@link WebSocketSession} plumbing of a session that outlives its connections: what
 * the first connection's handshake said stays; transport properties are the current
 * connection's, if there is one.
 */
abstract class OutlivingSession implements WebSocketSession {

	/** Keys of the attributes wsdrain itself puts on a connection: they name the connection, not the session. */
	private static final String OWN_ATTRIBUTE_PREFIX = "io.github.wsdrain.";

	private final String id;

	private final @Nullable Principal principal;

	private final @Nullable URI uri;

	private final HttpHeaders handshakeHeaders;

	private final Map<String, Object> attributes;

	private final @Nullable String acceptedProtocol;

	OutlivingSession(WebSocketSession first) {
		this.id = first.getId();
		this.principal = first.getPrincipal();
		this.uri = first.getUri();
		// Copies: the session outlives the connection, and must not keep it or its container reachable.
		this.handshakeHeaders = HttpHeaders.readOnlyHttpHeaders(HttpHeaders.copyOf(first.getHandshakeHeaders()));
		this.attributes = applicationAttributes(first.getAttributes());
		this.acceptedProtocol = first.getAcceptedProtocol();
	}

	/**
	 * Return the connection currently attached.
	 * @return the connection, or {@code null} while there is none
	 */
	abstract @Nullable WebSocketSession currentConnection();

	@Override
	public String getId() {
		return this.id;
	}

	@Override
	public @Nullable URI getUri() {
		return this.uri;
	}

	@Override
	public HttpHeaders getHandshakeHeaders() {
		return this.handshakeHeaders;
	}

	@Override
	public Map<String, Object> getAttributes() {
		return this.attributes;
	}

	@Override
	public @Nullable Principal getPrincipal() {
		return this.principal;
	}

	@Override
	public @Nullable String getAcceptedProtocol() {
		return this.acceptedProtocol;
	}

	@Override
	public @Nullable InetSocketAddress getLocalAddress() {
		WebSocketSession current = currentConnection();
		return (current != null) ? current.getLocalAddress() : null;
	}

	@Override
	public @Nullable InetSocketAddress getRemoteAddress() {
		WebSocketSession current = currentConnection();
		return (current != null) ? current.getRemoteAddress() : null;
	}

	@Override
	public void setTextMessageSizeLimit(int messageSizeLimit) {
		WebSocketSession current = currentConnection();
		if (current != null) {
			current.setTextMessageSizeLimit(messageSizeLimit);
		}
	}

	@Override
	public int getTextMessageSizeLimit() {
		WebSocketSession current = currentConnection();
		return (current != null) ? current.getTextMessageSizeLimit() : 0;
	}

	@Override
	public void setBinaryMessageSizeLimit(int messageSizeLimit) {
		WebSocketSession current = currentConnection();
		if (current != null) {
			current.setBinaryMessageSizeLimit(messageSizeLimit);
		}
	}

	@Override
	public int getBinaryMessageSizeLimit() {
		WebSocketSession current = currentConnection();
		return (current != null) ? current.getBinaryMessageSizeLimit() : 0;
	}

	@Override
	public List<WebSocketExtension> getExtensions() {
		WebSocketSession current = currentConnection();
		return (current != null) ? current.getExtensions() : List.of();
	}

	/**
	 * The handshake's attributes without those wsdrain put there for the connection, which
	 * reference it and, through it, the container's objects.
	 */
	private static Map<String, Object> applicationAttributes(Map<String, Object> connectionAttributes) {
		Map<String, Object> copy = new ConcurrentHashMap<>();
		connectionAttributes.forEach((key, value) -> {
			if (!key.startsWith(OWN_ATTRIBUTE_PREFIX) && !(value instanceof WebSocketSession)) {
				copy.put(key, value);
			}
		});
		return copy;
	}

}

package io.github.wsdrain.benchmarks;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.http.HttpHeaders;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketExtension;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * A session with no container behind it: {@code sendMessage} copies the payload into a
 * scratch buffer (the least a container does) and counts it. Isolates what a decorator
 * costs per message from the network and the client.
 */
final class SinkSession implements WebSocketSession {

	private final Map<String, Object> attributes = new ConcurrentHashMap<>();

	private final ByteBuffer scratch = ByteBuffer.allocate(64 * 1024);

	private long messages;

	private volatile boolean open = true;

	long messages() {
		return this.messages;
	}

	@Override
	public void sendMessage(WebSocketMessage<?> message) {
		// Only one thread at a time calls a container session: the decorators guarantee it.
		ByteBuffer payload = ((BinaryMessage) message).getPayload().duplicate();
		this.scratch.clear();
		this.scratch.put(payload);
		this.messages++;
	}

	@Override
	public String getId() {
		return "sink";
	}

	@Override
	public URI getUri() {
		return null;
	}

	@Override
	public HttpHeaders getHandshakeHeaders() {
		return new HttpHeaders();
	}

	@Override
	public Map<String, Object> getAttributes() {
		return this.attributes;
	}

	@Override
	public Principal getPrincipal() {
		return null;
	}

	@Override
	public InetSocketAddress getLocalAddress() {
		return null;
	}

	@Override
	public InetSocketAddress getRemoteAddress() {
		return null;
	}

	@Override
	public String getAcceptedProtocol() {
		return null;
	}

	@Override
	public void setTextMessageSizeLimit(int messageSizeLimit) {
	}

	@Override
	public int getTextMessageSizeLimit() {
		return Integer.MAX_VALUE;
	}

	@Override
	public void setBinaryMessageSizeLimit(int messageSizeLimit) {
	}

	@Override
	public int getBinaryMessageSizeLimit() {
		return Integer.MAX_VALUE;
	}

	@Override
	public List<WebSocketExtension> getExtensions() {
		return List.of();
	}

	@Override
	public boolean isOpen() {
		return this.open;
	}

	@Override
	public void close() {
		this.open = false;
	}

	@Override
	public void close(CloseStatus status) {
		this.open = false;
	}

}

package io.github.wsdrain.session;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import org.springframework.http.HttpHeaders;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketExtension;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * A container session without a socket: records what is written and the close, in one
 * event list; optionally blocks every write until {@link #release()}, like a peer that
 * stops reading.
 */
public final class StubWebSocketSession implements WebSocketSession {

	private final String id;

	private final Map<String, Object> attributes = new ConcurrentHashMap<>();

	/** Payloads of written text messages and {@code close:<code>} for the close, in order. */
	private final List<String> events = new CopyOnWriteArrayList<>();

	private volatile CountDownLatch released;

	private volatile CountDownLatch writing = new CountDownLatch(1);

	/** The threads that wrote messages. */
	private final Set<Thread> writers = ConcurrentHashMap.newKeySet();

	/** How long each write of a message takes, like a peer slower than the sender. */
	private volatile long writeNanos;

	private volatile boolean open = true;

	private volatile boolean failWrites;

	private volatile ByteBuffer lastPing;

	private volatile Thread pingWriter;

	private volatile Consumer<CloseStatus> onClose = (status) -> {
	};

	private StubWebSocketSession(String id, boolean blocking) {
		this.id = id;
		this.released = new CountDownLatch(blocking ? 1 : 0);
	}

	public static StubWebSocketSession open(String id) {
		return new StubWebSocketSession(id, false);
	}

	/** A session whose writes block until {@link #release()}. */
	public static StubWebSocketSession blocking(String id) {
		return new StubWebSocketSession(id, true);
	}

	/** Do what the container would once the close handshake is over, such as report the end of the connection. */
	public void onClose(Consumer<CloseStatus> onClose) {
		this.onClose = onClose;
	}

	/**
	 * Make the writes from now on block until {@link #release()}, as when a peer stops
	 * reading; call it while no write is in progress.
	 */
	public void blockWrites() {
		this.writing = new CountDownLatch(1);
		this.released = new CountDownLatch(1);
	}

	public void release() {
		this.released.countDown();
	}

	/** Make every write of a message take about this long, like a peer slower than the sender. */
	public void slowWrites(long nanos) {
		this.writeNanos = nanos;
	}

	/** The threads that wrote messages so far. */
	public Set<Thread> writers() {
		return Set.copyOf(this.writers);
	}

	public void failWrites() {
		this.failWrites = true;
	}

	/** Wait until a write has started (and, for a blocking session, is stuck). */
	public void awaitWriting() throws InterruptedException {
		if (!this.writing.await(5, TimeUnit.SECONDS)) {
			throw new IllegalStateException("No write started within 5 s");
		}
	}

	/** The payload of the last Ping written or being written, or {@code null}. */
	public ByteBuffer lastPing() {
		return this.lastPing;
	}

	/** The thread that wrote the last Ping, or {@code null}. */
	public Thread pingWriter() {
		return this.pingWriter;
	}

	public List<String> events() {
		return List.copyOf(this.events);
	}

	@Override
	public void sendMessage(WebSocketMessage<?> message) throws IOException {
		if (message instanceof PingMessage ping) {
			// Known while the write is still in progress, as a fast peer may answer it.
			this.lastPing = ping.getPayload();
		}
		this.writing.countDown();
		try {
			if (!this.released.await(10, TimeUnit.SECONDS)) {
				throw new IOException("Write still stuck after 10 s");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("Interrupted while writing", ex);
		}
		if (this.failWrites) {
			throw new IOException("Broken pipe");
		}
		if (this.writeNanos > 0) {
			// The time a slow peer takes to read, not a wait for another thread.
			LockSupport.parkNanos(this.writeNanos);
		}
		if (message instanceof PingMessage) {
			this.pingWriter = Thread.currentThread();
			this.events.add("ping");
			return;
		}
		this.writers.add(Thread.currentThread());
		this.events.add((message instanceof TextMessage text) ? text.getPayload() : "binary");
	}

	@Override
	public void close() {
		close(CloseStatus.NORMAL);
	}

	@Override
	public void close(CloseStatus status) {
		this.events.add("close:" + status.getCode());
		this.open = false;
		this.onClose.accept(status);
	}

	@Override
	public boolean isOpen() {
		return this.open;
	}

	@Override
	public String getId() {
		return this.id;
	}

	@Override
	public URI getUri() {
		return URI.create("ws://localhost/stub");
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

}

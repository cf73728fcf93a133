package io.github.wsdrain.sample;

import io.github.wsdrain.protocol.FrameCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.springframework.web.socket.CloseStatus;

/**
 * A minimal {@code wsdrain.v1} client on the JDK's {@link WebSocket} (see PROTOCOL.md):
 * it offers the sub-protocol, expects the session frame first, then data frames numbered
 * 1, 2, 3…, whose payloads it hands to a {@link ReceivedStream}, and acknowledges them
 * cumulatively every 50 ms, or never. It can drop its connection after a given message
 * and resume the session on a new one.
 */
final class ProtocolTestClient implements WebSocket.Listener {

	private static final String PROTOCOL = "wsdrain.v1";

	/** Within the protocol's 100 ms, and 20 a second is far from its flood limit of 200. */
	private static final Duration ACK_INTERVAL = Duration.ofMillis(50);

	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

	private static final HttpClient HTTP_CLIENT = HttpClient.newHttpClient();

	private static final ScheduledExecutorService ACKS = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "feed-test-acks");
		thread.setDaemon(true);
		return thread;
	});

	private final ReceivedStream stream = new ReceivedStream();

	private final URI uri;

	private final boolean acknowledge;

	private final long abortAfter;

	private final StringBuilder partial = new StringBuilder();

	private final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());

	private final CompletableFuture<Void> connectionDropped = new CompletableFuture<>();

	private volatile WebSocket webSocket;

	/** A connection dropped on purpose: whatever it still reports is ignored. */
	private volatile WebSocket dropped;

	/** {@code s:n:} on the first connection, {@code s:r:} on a resumed one. */
	private volatile String expectedSessionFrame = "s:n:";

	private volatile boolean sessionFrameReceived;

	private volatile String token;

	private volatile long lastReceived;

	/** -1 so that the first acknowledgement, {@code a:0} at the latest, confirms the session frame. */
	private volatile long lastAcknowledged = -1;

	private volatile long acknowledgedAtClose = -1;

	private volatile long lastMessageNanos;

	private volatile long closeNanos;

	private volatile ScheduledFuture<?> acks;

	private ProtocolTestClient(URI uri, boolean acknowledge, long abortAfter) {
		this.uri = uri;
		this.acknowledge = acknowledge;
		this.abortAfter = abortAfter;
	}

	/**
	 * Connect, offering {@code wsdrain.v1}.
	 * @param uri the endpoint
	 * @param acknowledge whether to acknowledge what arrives
	 * @return the client, receiving
	 * @throws IllegalStateException if the server did not select {@code wsdrain.v1}
	 * @throws Exception if the connection cannot be opened
	 */
	static ProtocolTestClient connect(URI uri, boolean acknowledge) throws Exception {
		return connect(uri, acknowledge, Long.MAX_VALUE);
	}

	/**
	 * Connect, offering {@code wsdrain.v1}, and drop the connection without a close frame
	 * right after receiving message {@code abortAfter}.
	 * @param uri the endpoint, with a query
	 * @param acknowledge whether to acknowledge what arrives
	 * @param abortAfter the sequence number of the last message received on the connection
	 * @return the client, receiving
	 * @throws Exception if the connection cannot be opened
	 */
	static ProtocolTestClient connect(URI uri, boolean acknowledge, long abortAfter) throws Exception {
		ProtocolTestClient client = new ProtocolTestClient(uri, acknowledge, abortAfter);
		client.open(uri);
		return client;
	}

	/**
	 * Wait for the dropped connection, then resume the session on a new one with the
	 * token and the last sequence received.
	 * @throws Exception if the connection cannot be opened
	 */
	void resume() throws Exception {
		this.connectionDropped.get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		this.expectedSessionFrame = "s:r:";
		this.sessionFrameReceived = false;
		open(URI.create(this.uri + "&wsdrain-token=" + this.token + "&wsdrain-last=" + this.lastReceived));
	}

	private void open(URI target) throws Exception {
		WebSocket webSocket = HTTP_CLIENT.newWebSocketBuilder()
			.subprotocols(PROTOCOL)
			.buildAsync(target, this)
			.get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		if (!PROTOCOL.equals(webSocket.getSubprotocol())) {
			webSocket.abort();
			throw new IllegalStateException("Server selected '" + webSocket.getSubprotocol() + "', not " + PROTOCOL);
		}
		this.stream.onAbort(webSocket::abort);
	}

	/** The payloads of the data frames in sequence order, and how the connection ended. */
	ReceivedStream stream() {
		return this.stream;
	}

	/** Frames that break the protocol: anything before the session frame, gaps, duplicates, unknown frames. */
	List<String> unexpected() {
		synchronized (this.unexpected) {
			return List.copyOf(this.unexpected);
		}
	}

	/** The highest sequence this client had acknowledged when the close frame arrived, -1 for none. */
	long acknowledgedAtClose() {
		return this.acknowledgedAtClose;
	}

	/** The time from the last data frame to the end of the connection. */
	Duration closeAfterLastMessage() {
		return Duration.ofNanos(this.closeNanos - this.lastMessageNanos);
	}

	/** When the connection ended, on the {@link System#nanoTime()} scale. */
	long closeNanos() {
		return this.closeNanos;
	}

	@Override
	public void onOpen(WebSocket webSocket) {
		this.webSocket = webSocket;
		webSocket.request(1);
	}

	@Override
	public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
		if (webSocket == this.dropped) {
			return null;
		}
		this.partial.append(data);
		if (last) {
			String frame = this.partial.toString();
			this.partial.setLength(0);
			onFrame(webSocket, frame);
		}
		webSocket.request(1);
		return null;
	}

	private void onFrame(WebSocket webSocket, String frame) {
		if (!this.sessionFrameReceived) {
			if (!frame.startsWith(this.expectedSessionFrame)) {
				this.unexpected.add("instead of the session frame " + this.expectedSessionFrame + "…: " + frame);
				return;
			}
			this.sessionFrameReceived = true;
			this.token = frame.split(":")[2];
			if (this.acknowledge) {
				// The first frame confirms the connection, which retires the token it used (§4.5).
				this.lastAcknowledged = -1;
				if (this.acks == null) {
					this.acks = ACKS.scheduleWithFixedDelay(this::acknowledge, 0, ACK_INTERVAL.toMillis(),
							TimeUnit.MILLISECONDS);
				}
			}
			return;
		}
		if (!frame.startsWith("m:")) {
			this.unexpected.add(frame);
			return;
		}
		int end = frame.indexOf(':', 2);
		long seq = Long.parseLong(frame.substring(2, end));
		if (seq != this.lastReceived + 1) {
			this.unexpected.add("m:" + seq + " after m:" + this.lastReceived);
			return;
		}
		this.lastReceived = seq;
		this.lastMessageNanos = System.nanoTime();
		this.stream.message(frame.substring(end + 1));
		if (seq == this.abortAfter) {
			this.dropped = webSocket;
			webSocket.abort();
			this.connectionDropped.complete(null);
		}
	}

	/** Acknowledge everything received so far, if there is anything new. */
	private void acknowledge() {
		long last = this.lastReceived;
		if (last <= this.lastAcknowledged) {
			return;
		}
		// Counted before sending: the server may act on it before the send completes here.
		this.lastAcknowledged = last;
		try {
			this.webSocket.sendText("a:" + last, true).join();
		}
		catch (RuntimeException ex) {
			// The connection ended under it (dropped, or the server's close crossed it): if the
			// session goes on, the next connection acknowledges again after its session frame.
		}
	}

	@Override
	public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
		if (webSocket == this.dropped) {
			return null;
		}
		ended();
		this.stream.closed(statusCode, reason, true);
		return null;
	}

	@Override
	public void onError(WebSocket webSocket, Throwable error) {
		if (webSocket == this.dropped) {
			return;
		}
		ended();
		this.stream.closed(CloseStatus.NO_CLOSE_FRAME.getCode(), String.valueOf(error), false);
	}

	private void ended() {
		this.closeNanos = System.nanoTime();
		this.acknowledgedAtClose = this.lastAcknowledged;
		ScheduledFuture<?> scheduled = this.acks;
		if (scheduled != null) {
			scheduled.cancel(false);
		}
	}

}

package io.github.wsdrain.testsupport;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongPredicate;

import org.jspecify.annotations.Nullable;

/**
 * The one wire-level {@code wsdrain.v1} client of every module's tests, on the JDK's
 * WebSocket, written from PROTOCOL.md rather than from the library: it numbers what it
 * sends, records what it receives in an {@link Inbox} that outlives the connection (so
 * that a resumed connection continues it), acknowledges cumulatively a moment after data
 * arrives (or never), confirms each session frame, and can drop its connection on purpose.
 * Frames that break the protocol land in {@link Inbox#unexpected()}.
 */
public final class WireClient implements WebSocket.Listener {

	/** The sub-protocol, spelled out here: the tests check the library against the text. */
	public static final String PROTOCOL = "wsdrain.v1";

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private static final ScheduledExecutorService ACKS = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "wire-client-acks");
		thread.setDaemon(true);
		return thread;
	});

	private final Inbox inbox;

	private final boolean acknowledge;

	private final boolean confirm;

	/** Whether a session frame comes first: only when the client offered the protocol. */
	private final boolean expectSessionFrame;

	private final Duration ackDelay;

	/** Abort the connection right after receiving the message with this number. */
	private final LongPredicate abortAfter;

	private final CompletableFuture<String[]> sessionFrame = new CompletableFuture<>();

	private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

	private final CompletableFuture<Ending> ending = new CompletableFuture<>();

	private final CompletableFuture<Void> dropped = new CompletableFuture<>();

	private volatile @Nullable String closeReason;

	private final AtomicLong serverAcknowledged = new AtomicLong();

	/** The highest sequence number acknowledged, -1 before the first acknowledgement. */
	private final AtomicLong acknowledged = new AtomicLong(-1);

	private volatile long acknowledgedAtClose = -1;

	private volatile long lastMessageNanos;

	private volatile long closeNanos;

	private final AtomicBoolean ackScheduled = new AtomicBoolean();

	private final AtomicBoolean aborted = new AtomicBoolean();

	private final StringBuilder text = new StringBuilder();

	private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

	private long nextOutbound = 1;

	private @Nullable WebSocket webSocket;

	private WireClient(Builder builder) {
		this.inbox = builder.inbox;
		this.acknowledge = builder.acknowledge;
		this.confirm = builder.confirm;
		this.expectSessionFrame = builder.offer;
		this.ackDelay = builder.ackDelay;
		this.abortAfter = builder.abortAfter;
	}

	/**
	 * Start a client of the endpoint.
	 * @param uri the endpoint, with or without a query
	 * @return a builder
	 */
	public static Builder to(URI uri) {
		return new Builder(uri);
	}

	// ---- sending

	/** Send a text data frame with the next sequence number. */
	public synchronized void send(String payload) {
		sendRaw("m:" + (this.nextOutbound++) + ":" + payload);
	}

	/** Send a text data frame with the given sequence number, right or wrong. */
	public synchronized void sendNumbered(long seq, String payload) {
		sendRaw("m:" + seq + ":" + payload);
	}

	/** Send a text frame as given. */
	public synchronized void sendRaw(String frame) {
		webSocket().sendText(frame, true).join();
	}

	/** Send a binary data frame with the given sequence number. */
	public synchronized void sendBinary(long seq, byte[] payload) {
		byte[] header = ("m:" + seq + ":").getBytes(StandardCharsets.US_ASCII);
		ByteBuffer frame = ByteBuffer.allocate(header.length + payload.length).put(header).put(payload).flip();
		webSocket().sendBinary(frame, true).join();
	}

	/** Acknowledge everything received so far, new or not. */
	public synchronized void ackNow() {
		long last = this.inbox.last();
		// Counted before sending: the server may act on it before the send completes here.
		this.acknowledged.set(last);
		// A client frame header is 6 bytes for a short payload (2 + the 4-byte mask).
		this.inbox.ackBytes.addAndGet(("a:" + last).length() + 6);
		sendRaw("a:" + last);
	}

	/** Drop the connection without a close frame; what it still reports is ignored. */
	public void abort() {
		this.aborted.set(true);
		webSocket().abort();
		this.dropped.complete(null);
	}

	/** Close with 1000. */
	public void close() {
		webSocket().sendClose(WebSocket.NORMAL_CLOSURE, "bye");
	}

	// ---- what happened

	public Inbox inbox() {
		return this.inbox;
	}

	/** The session frame's fields, split on {@code :}. */
	public CompletableFuture<String[]> sessionFrame() {
		return this.sessionFrame;
	}

	public String token() throws Exception {
		return this.sessionFrame.get(10, TimeUnit.SECONDS)[2];
	}

	public boolean resumed() throws Exception {
		return "r".equals(this.sessionFrame.get(10, TimeUnit.SECONDS)[1]);
	}

	/** The close code, or -1 for an error; completed for a dropped connection too. */
	public CompletableFuture<Integer> closeCode() {
		return this.closeCode;
	}

	public @Nullable String closeReason() {
		return this.closeReason;
	}

	/** How the connection ended, unless it was dropped on purpose. */
	public CompletableFuture<Ending> ending() {
		return this.ending;
	}

	/** Completed when the connection was dropped on purpose. */
	public CompletableFuture<Void> dropped() {
		return this.dropped;
	}

	/** The server's highest acknowledgement. */
	public long serverAcknowledged() {
		return this.serverAcknowledged.get();
	}

	/** The highest sequence this client had acknowledged when the connection ended, -1 for none. */
	public long acknowledgedAtClose() {
		return this.acknowledgedAtClose;
	}

	/** The time from the last data frame to the end of the connection. */
	public Duration closeAfterLastMessage() {
		return Duration.ofNanos(this.closeNanos - this.lastMessageNanos);
	}

	/** When the connection ended, on the {@link System#nanoTime()} scale. */
	public long closeNanos() {
		return this.closeNanos;
	}

	public @Nullable String acceptedProtocol() {
		return webSocket().getSubprotocol();
	}

	private WebSocket webSocket() {
		WebSocket current = this.webSocket;
		if (current == null) {
			throw new IllegalStateException("Not connected");
		}
		return current;
	}

	// ---- receiving

	@Override
	public void onOpen(WebSocket webSocket) {
		this.webSocket = webSocket;
		webSocket.request(1);
	}

	@Override
	public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
		this.text.append(data);
		if (last) {
			String frame = this.text.toString();
			this.text.setLength(0);
			byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
			this.inbox.wireBytes.addAndGet(bytes.length);
			onFrame(frame, bytes);
		}
		webSocket.request(1);
		return null;
	}

	@Override
	public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
		byte[] chunk = new byte[data.remaining()];
		data.get(chunk);
		this.binary.writeBytes(chunk);
		if (last) {
			byte[] frame = this.binary.toByteArray();
			this.binary.reset();
			this.inbox.wireBytes.addAndGet(frame.length);
			onFrame(null, frame);
		}
		webSocket.request(1);
		return null;
	}

	private void onFrame(@Nullable String textFrame, byte[] bytes) {
		if (this.aborted.get()) {
			return;
		}
		String ascii = new String(bytes, 0, Math.min(bytes.length, 64), StandardCharsets.ISO_8859_1);
		if (this.expectSessionFrame && !this.sessionFrame.isDone()) {
			if (!ascii.startsWith("s:")) {
				this.inbox.unexpected.add("instead of the session frame: " + ascii);
				return;
			}
			this.sessionFrame.complete(new String(bytes, StandardCharsets.US_ASCII).split(":"));
			if (this.confirm) {
				// The protocol's confirmation: the server may now retire the token this connection used.
				ACKS.execute(this::ackQuietly);
			}
		}
		else if (ascii.startsWith("a:")) {
			this.serverAcknowledged.set(Long.parseLong(ascii.substring(2)));
		}
		else if (ascii.startsWith("m:")) {
			int end = ascii.indexOf(':', 2);
			long seq = Long.parseLong(ascii.substring(2, end));
			String payload = (textFrame != null) ? textFrame.substring(end + 1) : "binary:" + (bytes.length - end - 1);
			this.lastMessageNanos = System.nanoTime();
			this.inbox.accept(seq, payload, bytes.length - (end + 1));
			if (this.abortAfter.test(seq)) {
				abort();
				return;
			}
			scheduleAck();
		}
		else {
			this.inbox.unexpected.add(ascii);
		}
	}

	private void scheduleAck() {
		if (this.acknowledge && this.ackScheduled.compareAndSet(false, true)) {
			ACKS.schedule(() -> {
				this.ackScheduled.set(false);
				if (!this.aborted.get() && !this.closeCode.isDone()) {
					ackQuietly();
				}
			}, this.ackDelay.toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	private void ackQuietly() {
		try {
			ackNow();
		}
		catch (RuntimeException ex) {
			// The connection ended under it (dropped, or the server's close crossed it): if the
			// session goes on, the next connection acknowledges again after its session frame.
		}
	}

	@Override
	public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
		this.closeReason = reason;
		ended(new Ending(statusCode, reason, true));
		this.closeCode.complete(statusCode);
		return null;
	}

	@Override
	public void onError(WebSocket webSocket, Throwable error) {
		ended(new Ending(1006, String.valueOf(error), false));
		this.closeCode.complete(-1);
	}

	private void ended(Ending how) {
		if (this.aborted.get() || this.ending.isDone()) {
			return;
		}
		this.closeNanos = System.nanoTime();
		this.acknowledgedAtClose = this.acknowledged.get();
		this.ending.complete(how);
	}

	/**
	 * How a connection ended.
	 * @param code the close code, 1006 without a close frame
	 * @param reason the close reason, or the error
	 * @param closeFrameReceived whether a close frame arrived
	 */
	public record Ending(int code, String reason, boolean closeFrameReceived) {
	}

	/**
	 * What a client has received across its connections, in order.
	 */
	public static final class Inbox {

		private final List<String> payloads = new ArrayList<>();

		private long last;

		private final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());

		private final AtomicLong duplicates = new AtomicLong();

		private final AtomicLong wireBytes = new AtomicLong();

		private final AtomicLong appBytes = new AtomicLong();

		private final AtomicLong ackBytes = new AtomicLong();

		private final List<CompletableFuture<Void>> waiting = new ArrayList<>();

		private final List<Integer> targets = new ArrayList<>();

		private final List<Consumer<String>> listeners = new ArrayList<>();

		/** Hand each payload delivered from now on to the listener, in order. */
		public synchronized Inbox onPayload(Consumer<String> listener) {
			this.listeners.add(listener);
			return this;
		}

		/** Return a future completed once this many messages have been received. */
		public synchronized CompletableFuture<Void> sizeReached(int count) {
			CompletableFuture<Void> reached = new CompletableFuture<>();
			if (this.payloads.size() >= count) {
				reached.complete(null);
			}
			else {
				this.waiting.add(reached);
				this.targets.add(count);
			}
			return reached;
		}

		synchronized void accept(long seq, String payload, int appLength) {
			if (seq <= this.last) {
				this.duplicates.incrementAndGet();
				return;
			}
			if (seq != this.last + 1) {
				this.unexpected.add("m:" + seq + " after m:" + this.last);
			}
			this.last = seq;
			this.payloads.add(payload);
			this.appBytes.addAndGet(appLength);
			this.listeners.forEach((listener) -> listener.accept(payload));
			for (int i = this.waiting.size() - 1; i >= 0; i--) {
				if (this.payloads.size() >= this.targets.get(i)) {
					this.targets.remove(i);
					this.waiting.remove(i).complete(null);
				}
			}
		}

		public synchronized long last() {
			return this.last;
		}

		public synchronized List<String> payloads() {
			return List.copyOf(this.payloads);
		}

		public synchronized int size() {
			return this.payloads.size();
		}

		/** Frames that break the protocol: anything before the session frame, gaps, unknown frames. */
		public List<String> unexpected() {
			synchronized (this.unexpected) {
				return List.copyOf(this.unexpected);
			}
		}

		/** Data frames dropped as replays of what was received already. */
		public long duplicates() {
			return this.duplicates.get();
		}

		/** Bytes of every frame received. */
		public long wireBytes() {
			return this.wireBytes.get();
		}

		/** Bytes of the payloads delivered. */
		public long appBytes() {
			return this.appBytes.get();
		}

		/** Bytes of the acknowledgements sent, frame headers included. */
		public long ackBytes() {
			return this.ackBytes.get();
		}

	}

	/** How to connect. */
	public static final class Builder {

		private URI uri;

		private Inbox inbox = new Inbox();

		private boolean offer = true;

		private boolean acknowledge = true;

		private boolean confirm = true;

		private Duration ackDelay = Duration.ofMillis(20);

		private final Map<String, String> headers = new java.util.LinkedHashMap<>();

		private String query = "";

		private LongPredicate abortAfter = (seq) -> false;

		Builder(URI uri) {
			this.uri = uri;
		}

		/** Continue what another connection received: a resume. */
		public Builder inbox(Inbox inbox) {
			this.inbox = inbox;
			return this;
		}

		/** Do not offer {@code wsdrain.v1}. */
		public Builder plain() {
			this.offer = false;
			return this;
		}

		/** Never acknowledge, not even the session frame. */
		public Builder neverAcknowledge() {
			this.acknowledge = false;
			this.confirm = false;
			return this;
		}

		/** Acknowledge data, but do not confirm the session frame at once. */
		public Builder neverConfirm() {
			this.confirm = false;
			return this;
		}

		/** Acknowledge this long after data arrives (20 ms unless set). */
		public Builder ackDelay(Duration delay) {
			this.ackDelay = delay;
			return this;
		}

		public Builder header(String name, String value) {
			this.headers.put(name, value);
			return this;
		}

		public Builder resume(String token, long last) {
			return resume(token, Long.toString(last));
		}

		/** Resume with a {@code wsdrain-last} as given, well-formed or not. */
		public Builder resume(String token, String last) {
			this.query = ((this.uri.getRawQuery() != null) ? "&" : "?") + "wsdrain-token=" + token + "&wsdrain-last="
					+ last;
			return this;
		}

		/** Connect to another endpoint of the same server; the path may carry a query. */
		public Builder path(String pathAndQuery) {
			this.uri = URI.create(this.uri.getScheme() + "://" + this.uri.getRawAuthority() + pathAndQuery);
			return this;
		}

		/** Connect through another loopback address, for example {@code [::1]}: the server sees another client address. */
		public Builder host(String host) {
			this.uri = URI.create(this.uri.getScheme() + "://" + host + ":" + this.uri.getPort() + this.uri.getRawPath()
					+ ((this.uri.getRawQuery() != null) ? "?" + this.uri.getRawQuery() : ""));
			return this;
		}

		/** Authenticate as this user with the test application's header. */
		public Builder user(String user) {
			return header(ResumeTestApplication.USER_HEADER, user);
		}

		/** Drop the connection without a close frame right after this message. */
		public Builder abortAfter(long seq) {
			this.abortAfter = (received) -> received == seq;
			return this;
		}

		public WireClient connect() throws Exception {
			WireClient client = new WireClient(this);
			WebSocket.Builder builder = HTTP.newWebSocketBuilder();
			if (this.offer) {
				builder.subprotocols(PROTOCOL);
			}
			this.headers.forEach(builder::header);
			builder.buildAsync(URI.create(this.uri + this.query), client).get(10, TimeUnit.SECONDS);
			return client;
		}

	}

}

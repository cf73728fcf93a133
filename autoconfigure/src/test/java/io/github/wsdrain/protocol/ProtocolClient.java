package io.github.wsdrain.protocol;

import io.github.wsdrain.server.resume.ResumableSessions;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;

import org.jspecify.annotations.Nullable;

/**
 * A minimal {@code wsdrain.v1} client on the JDK's WebSocket, for the tests: it numbers
 * what it sends, records what it receives in an {@link Inbox} that outlives the
 * connection, and acknowledges in batches (or not at all).
 */
final class ProtocolClient implements WebSocket.Listener {

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private static final ScheduledExecutorService ACKS = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "test-client-acks");
		thread.setDaemon(true);
		return thread;
	});

	final Inbox inbox;

	private final boolean acknowledge;

	private final boolean confirm;

	/** Abort the connection right after receiving the message with this number. */
	private final LongPredicate abortAfter;

	final CompletableFuture<String[]> sessionFrame = new CompletableFuture<>();

	final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

	volatile @Nullable String closeReason;

	final AtomicLong serverAcknowledged = new AtomicLong();

	private final AtomicBoolean ackScheduled = new AtomicBoolean();

	private final AtomicBoolean aborted = new AtomicBoolean();

	private final StringBuilder text = new StringBuilder();

	private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

	private long nextOutbound = 1;

	private @Nullable WebSocket webSocket;

	private ProtocolClient(Inbox inbox, boolean acknowledge, boolean confirm, LongPredicate abortAfter) {
		this.inbox = inbox;
		this.acknowledge = acknowledge;
		this.confirm = confirm;
		this.abortAfter = abortAfter;
	}

	static Builder to(int port) {
		return new Builder(port);
	}

	// ---- sending

	synchronized void send(String payload) {
		sendRaw("m:" + (this.nextOutbound++) + ":" + payload);
	}

	synchronized void sendNumbered(long seq, String payload) {
		sendRaw("m:" + seq + ":" + payload);
	}

	synchronized void sendRaw(String frame) {
		webSocket().sendText(frame, true).join();
	}

	synchronized void sendBinary(long seq, byte[] payload) {
		byte[] header = ("m:" + seq + ":").getBytes(StandardCharsets.US_ASCII);
		ByteBuffer frame = ByteBuffer.allocate(header.length + payload.length).put(header).put(payload).flip();
		webSocket().sendBinary(frame, true).join();
	}

	synchronized void ackNow() {
		long last = this.inbox.last();
		// A client frame header is 6 bytes for a short payload (2 + the 4-byte mask).
		this.inbox.ackBytes.addAndGet(("a:" + last).length() + 6);
		sendRaw("a:" + last);
	}

	void abort() {
		this.aborted.set(true);
		webSocket().abort();
	}

	void close() {
		webSocket().sendClose(WebSocket.NORMAL_CLOSURE, "bye");
	}

	String token() throws Exception {
		return this.sessionFrame.get(10, TimeUnit.SECONDS)[2];
	}

	boolean resumed() throws Exception {
		return "r".equals(this.sessionFrame.get(10, TimeUnit.SECONDS)[1]);
	}

	@Nullable String acceptedProtocol() {
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
			this.inbox.wireBytes.addAndGet(frame.getBytes(StandardCharsets.UTF_8).length);
			onFrame(frame, frame.getBytes(StandardCharsets.UTF_8));
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
		if (ascii.startsWith("s:")) {
			this.sessionFrame.complete(new String(bytes, StandardCharsets.US_ASCII).split(":"));
			if (this.confirm) {
				// The protocol's confirmation: the server may now retire the token this connection used.
				ACKS.execute(this::ackNow);
			}
		}
		else if (ascii.startsWith("a:")) {
			this.serverAcknowledged.set(Long.parseLong(ascii.substring(2)));
		}
		else if (ascii.startsWith("m:")) {
			int end = ascii.indexOf(':', 2);
			long seq = Long.parseLong(ascii.substring(2, end));
			String payload = (textFrame != null) ? textFrame.substring(end + 1) : "binary:" + (bytes.length - end - 1);
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
					ackNow();
				}
			}, 20, TimeUnit.MILLISECONDS);
		}
	}

	@Override
	public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
		this.closeReason = reason;
		this.closeCode.complete(statusCode);
		return null;
	}

	@Override
	public void onError(WebSocket webSocket, Throwable error) {
		this.closeCode.complete(-1);
	}

	/**
	 * What a client has received across its connections, in order.
	 */
	static final class Inbox {

		private final List<String> payloads = new ArrayList<>();

		private long last;

		final List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());

		final AtomicLong duplicates = new AtomicLong();

		final AtomicLong wireBytes = new AtomicLong();

		final AtomicLong appBytes = new AtomicLong();

		final AtomicLong ackBytes = new AtomicLong();

		private final List<CompletableFuture<Void>> waiting = new ArrayList<>();

		private final List<Integer> targets = new ArrayList<>();

		/** Return a future completed once this many messages have been received. */
		synchronized CompletableFuture<Void> sizeReached(int count) {
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
				this.unexpected.add("gap before " + seq);
			}
			this.last = seq;
			this.payloads.add(payload);
			this.appBytes.addAndGet(appLength);
			for (int i = this.waiting.size() - 1; i >= 0; i--) {
				if (this.payloads.size() >= this.targets.get(i)) {
					this.targets.remove(i);
					this.waiting.remove(i).complete(null);
				}
			}
		}

		synchronized long last() {
			return this.last;
		}

		synchronized List<String> payloads() {
			return List.copyOf(this.payloads);
		}

		synchronized int size() {
			return this.payloads.size();
		}

	}

	static final class Builder {

		private final int port;

		private Inbox inbox = new Inbox();

		private boolean offer = true;

		private boolean acknowledge = true;

		private boolean confirm = true;

		private @Nullable String user;

		private String query = "";

		private String path = "/resume";

		private String host = "localhost";

		private LongPredicate abortAfter = (seq) -> false;

		Builder(int port) {
			this.port = port;
		}

		Builder inbox(Inbox inbox) {
			this.inbox = inbox;
			return this;
		}

		Builder plain() {
			this.offer = false;
			return this;
		}

		Builder neverAcknowledge() {
			this.acknowledge = false;
			this.confirm = false;
			return this;
		}

		Builder neverConfirm() {
			this.confirm = false;
			return this;
		}

		Builder user(String user) {
			this.user = user;
			return this;
		}

		Builder resume(String token, long last) {
			return resume(token, Long.toString(last));
		}

		/** Resume with a {@code wsdrain-last} as given, well-formed or not. */
		Builder resume(String token, String last) {
			this.query = "?" + ResumableSessions.TOKEN_PARAMETER + "=" + token + "&" + ResumableSessions.LAST_PARAMETER
					+ "=" + last;
			return this;
		}

		/** Connect to another endpoint of the test app than {@code /resume}. */
		Builder path(String path) {
			this.path = path;
			return this;
		}

		/** Connect through another loopback address, for example {@code [::1]}: the server sees another client address. */
		Builder host(String host) {
			this.host = host;
			return this;
		}

		Builder abortAfter(long seq) {
			this.abortAfter = (received) -> received == seq;
			return this;
		}

		ProtocolClient connect() throws Exception {
			ProtocolClient client = new ProtocolClient(this.inbox, this.acknowledge, this.confirm, this.abortAfter);
			WebSocket.Builder builder = HTTP.newWebSocketBuilder();
			if (this.offer) {
				builder.subprotocols(Frames.PROTOCOL);
			}
			if (this.user != null) {
				builder.header(ResumeTestApplication.USER_HEADER, this.user);
			}
			builder.buildAsync(URI.create("ws://" + this.host + ":" + this.port + this.path + this.query), client)
				.get(10, TimeUnit.SECONDS);
			return client;
		}

	}

}

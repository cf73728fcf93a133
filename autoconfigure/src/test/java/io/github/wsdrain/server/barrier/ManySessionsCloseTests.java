package io.github.wsdrain.server.barrier;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.session.BarrierOutcome;
import io.github.wsdrain.session.CloseResult;
import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.session.SessionClosingException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 2,000 sessions streaming numbered messages from two threads, then all closed at once
 * from one thread, as a graceful shutdown does: every client receives, in order, every
 * message its session accepted (0 lost), then the close; every close barrier passes and
 * every close handshake completes with 1001 at the server. No thread waits for a Pong or
 * takes over a close per session: the JVM's live threads (server, clients and test
 * together) peak below 500 during the close, and the server executor starts at most 32
 * threads for it.
 * <p>
 * The close code is checked at the server: under load the JDK client now and then tells
 * its listener 1006 for a connection whose close handshake completed (1001 both ways, every
 * message received), with the old close path as with this one; the test counts those.
 */
@SpringBootTest(classes = BarrierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "wsdrain.server.close-barrier.timeout=60s", "wsdrain.server.drain-timeout=60s" })
abstract class ManySessionsCloseTests {

	private static final int SESSIONS = 2_000;

	private static final int CONNECTS_IN_FLIGHT = 64;

	/**
	 * Far below one thread per session: the JVM's, the containers' and the clients' threads,
	 * and the server's writers that the streaming started (up to 256, idle by the close).
	 */
	private static final int PEAK_THREADS = 800;

	private static final int EXECUTOR_THREADS = 32;

	private final ExecutorService clientThreads = Executors.newFixedThreadPool(4);

	private final ExecutorService senders = Executors.newFixedThreadPool(2);

	private final List<WebSocket> webSockets = new ArrayList<>();

	@LocalServerPort
	private int port;

	@Autowired
	private BarrierTestApplication.PongHandler handler;

	@AfterEach
	void stop() {
		this.webSockets.forEach(WebSocket::abort);
		this.senders.shutdownNow();
		this.clientThreads.shutdownNow();
	}

	@Test
	void closing2000StreamingSessionsAtOnceWritesEveryCloseFrameAfterEveryMessageWithoutAThreadPerSession()
			throws Exception {
		List<Client> clients = connect();
		List<DrainingWebSocketSession> sessions = new ArrayList<>(SESSIONS);
		for (int i = 0; i < SESSIONS; i++) {
			DrainingWebSocketSession session = this.handler.sessions.poll(30, TimeUnit.SECONDS);
			assertThat(session).as("session %d of %d", i, SESSIONS).isNotNull();
			sessions.add(session);
		}
		// Message 0 names the session to its client; the streams go on from 1.
		for (DrainingWebSocketSession session : sessions) {
			session.sendMessage(new TextMessage(session.getId() + ":0"));
		}
		Map<String, Long> accepted = new ConcurrentHashMap<>();
		List<Future<?>> streams = new ArrayList<>();
		for (int t = 0; t < 2; t++) {
			List<DrainingWebSocketSession> share = sessions.subList(t * SESSIONS / 2, (t + 1) * SESSIONS / 2);
			streams.add(this.senders.submit(() -> stream(share, accepted)));
		}
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		Set<Long> executorThreadsBefore = executorThreadIds();
		threads.resetPeakThreadCount();

		List<CompletableFuture<CloseResult>> closing = new ArrayList<>(SESSIONS);
		for (DrainingWebSocketSession session : sessions) {
			closing.add(session.closeAsync(CloseStatus.GOING_AWAY));
		}
		CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
		int peakThreads = threads.getPeakThreadCount();
		Set<Long> executorThreadsStarted = executorThreadIds();
		executorThreadsStarted.removeAll(executorThreadsBefore);
		for (Future<?> stream : streams) {
			stream.get(60, TimeUnit.SECONDS);
		}
		CompletableFuture.allOf(clients.stream().map((client) -> client.closeCode).toArray(CompletableFuture[]::new))
			.get(120, TimeUnit.SECONDS);

		for (CompletableFuture<CloseResult> future : closing) {
			CloseResult result = future.get();
			assertThat(result.dropped()).as("%s", result).isZero();
			assertThat(result.drainTimedOut()).as("%s", result).isFalse();
			assertThat(result.closeBarrier()).as("%s", result).isEqualTo(BarrierOutcome.PASSED);
		}
		long totalAccepted = 0;
		int abnormalCloses = 0;
		Set<String> seen = new HashSet<>();
		for (Client client : clients) {
			assertThat(client.error).as("client of session %s", client.sessionId).isNull();
			if (client.closeCode.get() != 1001) {
				abnormalCloses++;
			}
			assertThat(client.outOfOrder).as("client of session %s", client.sessionId).isFalse();
			assertThat(client.received).as("messages of session %s", client.sessionId)
				.isEqualTo(accepted.get(client.sessionId));
			seen.add(client.sessionId);
			totalAccepted += client.received;
		}
		for (DrainingWebSocketSession session : sessions) {
			assertThat(session.getConnectionEndFuture().get(60, TimeUnit.SECONDS).getCode())
				.as("the close handshake of session %s", session.getId())
				.isEqualTo(CloseStatus.GOING_AWAY.getCode());
		}
		System.out.println("Closing " + SESSIONS + " sessions: peak " + peakThreads + " live threads, "
				+ executorThreadsStarted.size() + " executor threads started; clients told 1006 after a complete "
				+ "close handshake: " + abnormalCloses);
		assertThat(seen).as("every session reached its own client").hasSize(SESSIONS);
		assertThat(totalAccepted).isEqualTo(accepted.values().stream().mapToLong(Long::longValue).sum());
		assertThat(peakThreads).as("peak live threads while closing %d sessions", SESSIONS).isLessThan(PEAK_THREADS);
		assertThat(executorThreadsStarted).as("server executor threads started by the close").hasSizeLessThanOrEqualTo(
				EXECUTOR_THREADS);
	}

	private List<Client> connect() throws Exception {
		HttpClient http = HttpClient.newBuilder().executor(this.clientThreads).build();
		URI uri = URI.create("ws://127.0.0.1:" + this.port + "/pongs");
		Semaphore inFlight = new Semaphore(CONNECTS_IN_FLIGHT);
		List<Client> clients = new ArrayList<>(SESSIONS);
		List<CompletableFuture<WebSocket>> connections = new ArrayList<>(SESSIONS);
		for (int i = 0; i < SESSIONS; i++) {
			assertThat(inFlight.tryAcquire(60, TimeUnit.SECONDS)).as("connection %d", i).isTrue();
			Client client = new Client();
			clients.add(client);
			connections.add(http.newWebSocketBuilder()
				.buildAsync(uri, client)
				.whenComplete((webSocket, ex) -> inFlight.release()));
		}
		for (CompletableFuture<WebSocket> connection : connections) {
			this.webSockets.add(connection.get(60, TimeUnit.SECONDS));
		}
		return clients;
	}

	/** Send numbered messages to each session in turn until every one refuses; record how many each accepted. */
	private static Void stream(List<DrainingWebSocketSession> sessions, Map<String, Long> accepted)
			throws Exception {
		long[] sent = new long[sessions.size()];
		Arrays.fill(sent, 1);
		boolean[] refused = new boolean[sessions.size()];
		int open = sessions.size();
		while (open > 0) {
			for (int i = 0; i < sent.length; i++) {
				if (refused[i]) {
					continue;
				}
				DrainingWebSocketSession session = sessions.get(i);
				try {
					session.sendMessage(new TextMessage(session.getId() + ":" + sent[i]));
					sent[i]++;
				}
				catch (SessionClosingException ex) {
					refused[i] = true;
					open--;
					accepted.put(session.getId(), sent[i]);
				}
			}
		}
		return null;
	}

	private static Set<Long> executorThreadIds() {
		Set<Long> ids = new HashSet<>();
		for (Thread thread : Thread.getAllStackTraces().keySet()) {
			if (thread.getName().startsWith("wsdrain-server-")) {
				ids.add(thread.getId());
			}
		}
		return ids;
	}

	/** One client: checks that its session's numbered messages arrive in order, then the close. */
	private static final class Client implements WebSocket.Listener {

		private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

		private final StringBuilder text = new StringBuilder();

		private volatile String sessionId;

		private volatile long received;

		private volatile boolean outOfOrder;

		private volatile Throwable error;

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.text.append(data);
			if (last) {
				String message = this.text.toString();
				this.text.setLength(0);
				int colon = message.lastIndexOf(':');
				String id = message.substring(0, colon);
				if (this.sessionId == null) {
					this.sessionId = id;
				}
				if (!id.equals(this.sessionId) || Long.parseLong(message.substring(colon + 1)) != this.received) {
					this.outOfOrder = true;
				}
				this.received++;
			}
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			this.closeCode.complete(statusCode);
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			// -1: the connection ended without a close frame.
			this.error = error;
			this.closeCode.complete(-1);
		}

	}

}

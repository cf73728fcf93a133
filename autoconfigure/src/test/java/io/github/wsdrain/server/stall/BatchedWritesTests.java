package io.github.wsdrain.server.stall;

import io.github.wsdrain.server.DrainTestApplication;
import io.github.wsdrain.session.CloseResult;
import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.session.SessionState;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Four senders put 4 x 5,000 numbered messages on one session, so the writer finds many
 * queued and hands them to the container in batches; and one sender puts 20,000 in a
 * loop, so that it hands the writing to the executor's thread and queues while that
 * thread writes batches. Whatever happens, every accepted message is either sent or
 * counted as dropped (sent + dropped = accepted), and what the client receives of each
 * sender is an unbroken prefix, in order: with a healthy client (all 20,000 arrive), a
 * client that stops reading (the close comes once a write has been stuck on it for a
 * second, and the client reads again only once the drain timeout of 1 s has cut the
 * connection), and a client that drops the connection after 2,000 messages.
 */
@SpringBootTest(classes = DrainTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "wsdrain.server.drain-timeout=1s", "wsdrain.server.send-buffer-size=64MB",
				"wsdrain.server.close-barrier.enabled=false" })
abstract class BatchedWritesTests {

	private static final int SENDERS = 4;

	private static final int PER_SENDER = 5_000;

	private static final String PADDING = "p".repeat(1000);

	@LocalServerPort
	private int port;

	@Autowired
	private DrainTestApplication application;

	private final ExecutorService senders = Executors.newFixedThreadPool(SENDERS);

	@AfterEach
	void stopSenders() {
		this.senders.shutdownNow();
	}

	@Test
	void aHealthyClientGetsAll20000InEachSendersOrder() throws Exception {
		Client client = new Client(Long.MAX_VALUE, (received) -> {
		});
		DrainingWebSocketSession session = client.connect();
		sendAll(session);
		await().atMost(Duration.ofSeconds(60)).until(() -> client.received.size() == SENDERS * PER_SENDER);
		CloseResult result = session.closeAsync(CloseStatus.NORMAL).get(10, TimeUnit.SECONDS);
		assertThat(result.dropped()).isZero();
		assertThat(session.getSentMessages()).isEqualTo(SENDERS * PER_SENDER);
		client.assertEachSenderInOrder(SENDERS, PER_SENDER);
	}

	@Test
	void whenTheClientStopsReadingThenTheDrainTimeoutCountsEveryMessageNotSent() throws Exception {
		Client client = new Client(1_000, (received) -> {
		});
		DrainingWebSocketSession session = client.connect();
		List<Future<?>> sends = sendAll(session);
		// One sender is the writer, stuck on the client; the others have queued everything.
		await().atMost(Duration.ofSeconds(30)).until(() -> sends.stream().filter(Future::isDone).count() >= SENDERS - 1);
		awaitWriterStuck(session);
		CloseResult result = session.closeAsync(CloseStatus.NORMAL).get(10, TimeUnit.SECONDS);
		assertThat(result.drainTimedOut()).isTrue();
		awaitConnectionCut(session);
		client.readTheRest();
		client.ended.get(30, TimeUnit.SECONDS);
		assertEverythingAccountedFor(session, client);
		assertThat(session.getDroppedMessages()).isPositive();
	}

	@ParameterizedTest(name = "{0} sender(s)")
	@ValueSource(ints = { SENDERS, 1 })
	void whenTheClientDropsTheConnectionThenEveryMessageNotSentIsCounted(int senders) throws Exception {
		CompletableFuture<WebSocket> abort = new CompletableFuture<>();
		Client client = new Client(Long.MAX_VALUE, (received) -> {
			if (received == 2_000) {
				abort.thenAccept(WebSocket::abort);
			}
		});
		DrainingWebSocketSession session = client.connect();
		abort.complete(client.webSocket);
		for (Future<?> send : sendAll(session, senders, SENDERS * PER_SENDER / senders)) {
			send.get(30, TimeUnit.SECONDS);
		}
		session.getCloseFuture().get(30, TimeUnit.SECONDS);
		assertEverythingAccountedFor(session, client);
	}

	@Test
	void aHealthyClientGetsAll20000OfOneSenderInOrder() throws Exception {
		Client client = new Client(Long.MAX_VALUE, (received) -> {
		});
		DrainingWebSocketSession session = client.connect();
		sendAll(session, 1, SENDERS * PER_SENDER).get(0).get(60, TimeUnit.SECONDS);
		await().atMost(Duration.ofSeconds(60)).until(() -> client.received.size() == SENDERS * PER_SENDER);
		CloseResult result = session.closeAsync(CloseStatus.NORMAL).get(10, TimeUnit.SECONDS);
		assertThat(result.dropped()).isZero();
		assertThat(session.getSentMessages()).isEqualTo(SENDERS * PER_SENDER);
		client.assertEachSenderInOrder(1, SENDERS * PER_SENDER);
	}

	@Test
	void whenTheClientStopsReadingThenTheDrainTimeoutCountsEveryMessageOfOneSenderNotSent() throws Exception {
		Client client = new Client(1_000, (received) -> {
		});
		DrainingWebSocketSession session = client.connect();
		Future<?> send = sendAll(session, 1, SENDERS * PER_SENDER).get(0);
		// Its demand counts parts of messages: it stops after at most 1,000 messages.
		await().atMost(Duration.ofSeconds(30)).until(() -> client.demandLeft.get() <= 0);
		awaitWriterStuck(session);
		CloseResult result = session.closeAsync(CloseStatus.NORMAL).get(10, TimeUnit.SECONDS);
		assertThat(result.drainTimedOut()).isTrue();
		awaitConnectionCut(session);
		client.readTheRest();
		client.ended.get(30, TimeUnit.SECONDS);
		send.get(30, TimeUnit.SECONDS);
		assertEverythingAccountedFor(session, client);
		assertThat(session.getDroppedMessages()).isPositive();
	}

	/**
	 * Wait until a write has been stuck on the client for a second: until then the
	 * socket's buffers may still take what is queued (the kernel grows them to many
	 * megabytes), and the drain would end in time.
	 */
	private static void awaitWriterStuck(DrainingWebSocketSession session) {
		await().atMost(Duration.ofSeconds(30)).until(session::isStuckInWrite);
	}

	/**
	 * Wait until the timed-out close has cut the connection, before the client reads
	 * again: the write stuck on the client then fails and counts as dropped. Read earlier,
	 * it could still complete, and a sender that wrote on its own thread would have left
	 * nothing queued to drop.
	 */
	private static void awaitConnectionCut(DrainingWebSocketSession session) {
		await().atMost(Duration.ofSeconds(30)).until(() -> session.getState() == SessionState.CLOSED);
	}

	private static void assertEverythingAccountedFor(DrainingWebSocketSession session, Client client) {
		// The write cut off by the end of the connection fails, and counts, a little later.
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(session.getSentMessages() + session.getDroppedMessages())
				.as("sent + dropped = accepted").isEqualTo(session.getAcceptedMessages()));
		assertThat(client.received.size()).as("received").isLessThanOrEqualTo((int) session.getAcceptedMessages());
		client.assertEachSenderInOrder(SENDERS, -1);
	}

	private List<Future<?>> sendAll(DrainingWebSocketSession session) {
		return sendAll(session, SENDERS, PER_SENDER);
	}

	/** Start the senders; each stops at its first refusal (the session is closing). */
	private List<Future<?>> sendAll(DrainingWebSocketSession session, int senderCount, int perSender) {
		List<Future<?>> sends = new ArrayList<>();
		for (int sender = 0; sender < senderCount; sender++) {
			int id = sender;
			sends.add(this.senders.submit(() -> {
				for (int i = 0; i < perSender; i++) {
					try {
						session.sendMessage(new TextMessage(id + ":" + i + ":" + PADDING));
					}
					catch (IOException ex) {
						return null;
					}
				}
				return null;
			}));
		}
		return sends;
	}

	/** A client that reads up to a demand, then waits until told to read the rest. */
	private final class Client implements WebSocket.Listener {

		private final List<String> received = new CopyOnWriteArrayList<>();

		private final CompletableFuture<Integer> ended = new CompletableFuture<>();

		private final AtomicInteger demandLeft;

		private final IntConsumer onReceived;

		private final StringBuilder partial = new StringBuilder();

		private volatile WebSocket webSocket;

		Client(long demand, IntConsumer onReceived) {
			this.demandLeft = new AtomicInteger((int) Math.min(demand, Integer.MAX_VALUE));
			this.onReceived = onReceived;
		}

		DrainingWebSocketSession connect() throws Exception {
			this.webSocket = HttpClient.newHttpClient()
				.newWebSocketBuilder()
				.buildAsync(URI.create("ws://localhost:" + BatchedWritesTests.this.port + "/drained/bean"), this)
				.get(10, TimeUnit.SECONDS);
			return (DrainingWebSocketSession) BatchedWritesTests.this.application.sessionCapture().next();
		}

		void readTheRest() {
			this.demandLeft.set(Integer.MAX_VALUE);
			this.webSocket.request(Long.MAX_VALUE);
		}

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.partial.append(data);
			if (last) {
				this.received.add(this.partial.toString());
				this.partial.setLength(0);
				this.onReceived.accept(this.received.size());
			}
			if (this.demandLeft.decrementAndGet() > 0) {
				webSocket.request(1);
			}
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			this.ended.complete(statusCode);
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			this.ended.complete(-1);
		}

		/** Each sender's messages arrived in order, without a gap; all of them unless {@code expected} is -1. */
		void assertEachSenderInOrder(int senderCount, int expected) {
			Map<Integer, Integer> next = new ConcurrentHashMap<>();
			for (String message : this.received) {
				String[] parts = message.split(":", 3);
				int sender = Integer.parseInt(parts[0]);
				int seq = Integer.parseInt(parts[1]);
				int wanted = next.getOrDefault(sender, 0);
				assertThat(seq).as("sender %d's next message", sender).isEqualTo(wanted);
				next.put(sender, wanted + 1);
			}
			if (expected >= 0) {
				for (int sender = 0; sender < senderCount; sender++) {
					assertThat(next.get(sender)).as("messages of sender %d", sender).isEqualTo(expected);
				}
			}
		}

	}

}

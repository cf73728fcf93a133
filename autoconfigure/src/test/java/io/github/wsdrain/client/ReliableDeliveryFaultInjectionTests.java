package io.github.wsdrain.client;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.github.wsdrain.server.ServerSelection;
import io.github.wsdrain.server.resume.ResumableSession;
import io.github.wsdrain.testsupport.ChaosProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import org.springframework.web.util.UriComponentsBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The reliable client and a resumable server session through a proxy that cuts every
 * connection at a random moment 30 to 300 ms after it opened: 20 sessions × 10,000
 * messages each way, every message delivered to the consumer and to the app exactly
 * once and in order, then a normal close.
 */
@SpringBootTest(classes = ReliableDeliveryFaultInjectionTests.BothWaysApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		// A close waits for acknowledgements at most this long, connected or not: on a network
		// this hostile a client can be away for seconds, and the close must not give up on it.
		properties = { ServerSelection.TOMCAT, "wsdrain.server.resume.ack-timeout=60s" })
class ReliableDeliveryFaultInjectionTests {

	private static final int SESSIONS = 20;

	private static final int MESSAGES = 10_000;

	@LocalServerPort
	private int port;

	@Autowired
	private BothWaysHandler handler;

	private ChaosProxy proxy;

	private final ExecutorService threads = Executors.newCachedThreadPool();

	private final BufferedWebSocketClient client = new BufferedWebSocketClient();

	@BeforeEach
	void startProxy() throws Exception {
		this.handler.sessions.clear();
		this.handler.byClient.clear();
		this.handler.gate = null;
		this.proxy = new ChaosProxy(this.port);
	}

	@AfterEach
	void stop() throws Exception {
		this.threads.shutdownNow();
		this.proxy.close();
	}

	@Test
	void whenEveryConnectionIsCutAtRandomThenEveryMessageArrivesOnceInOrderBothWays() throws Exception {
		List<ReliableWebSocketConnection> connections = connectAll("cut-");
		this.proxy.cutEachAfter(Duration.ofMillis(30), Duration.ofMillis(300));
		List<CompletableFuture<Outcome>> outcomes = exchangeAll(connections, "cut-");

		for (CompletableFuture<Outcome> outcome : outcomes) {
			assertEverythingOnceInOrder(outcome.get(180, TimeUnit.SECONDS));
		}
		assertThat(this.proxy.cuts()).as("connections cut").isGreaterThan(SESSIONS);
		System.out.printf("fault injection: %d sessions × %,d messages each way, %d cuts, %d resumes, %d duplicates "
				+ "dropped, 0 lost%n", SESSIONS, MESSAGES, this.proxy.cuts(),
				outcomes.stream().mapToInt((o) -> o.join().resumes()).sum(),
				outcomes.stream().mapToLong((o) -> o.join().duplicates()).sum());
	}

	/**
	 * The network goes down after 100 messages; the app sends the other 9,900 while the
	 * client is away, and it all arrives after the resume.
	 */
	@Test
	void whenTheAppSendsWhileTheClientIsAwayThenEverythingArrivesOnceInOrderAfterTheResume() throws Exception {
		CountDownLatch networkDown = new CountDownLatch(1);
		this.handler.gate = networkDown;
		List<ReliableWebSocketConnection> connections = connectAll("away-");
		List<CompletableFuture<Outcome>> outcomes = exchangeAll(connections, "away-");
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.handler.byClient.values().stream().filter((s) -> s.paused).count() == SESSIONS);
		this.proxy.refuse(true);
		this.proxy.cut();
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.handler.sessions.keySet().stream().noneMatch(ReliableDeliveryFaultInjectionTests::isConnected));

		networkDown.countDown();
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.handler.byClient.values().stream().filter((s) -> s.sentAll).count() == SESSIONS);
		assertThat(this.handler.sessions.keySet()).noneMatch(ReliableDeliveryFaultInjectionTests::isConnected);
		this.proxy.refuse(false);

		for (CompletableFuture<Outcome> outcome : outcomes) {
			Outcome result = outcome.get(180, TimeUnit.SECONDS);
			assertEverythingOnceInOrder(result);
			assertThat(result.resumes()).isPositive();
		}
	}

	private static boolean isConnected(WebSocketSession session) {
		return ((ResumableSession) session).isConnected();
	}

	private List<ReliableWebSocketConnection> connectAll(String prefix) {
		return IntStream.range(0, SESSIONS).mapToObj((i) -> this.client.connectReliable(uri(prefix + i), null)).toList();
	}

	private List<CompletableFuture<Outcome>> exchangeAll(List<ReliableWebSocketConnection> connections, String prefix) {
		return IntStream.range(0, SESSIONS)
			.mapToObj((i) -> CompletableFuture.supplyAsync(() -> exchange(connections.get(i), prefix + i), this.threads))
			.toList();
	}

	/** Send everything from another thread, receive until the server's normal close. */
	private Outcome exchange(ReliableWebSocketConnection connection, String id) {
		CompletableFuture<Void> sending = CompletableFuture.runAsync(
				() -> IntStream.rangeClosed(1, MESSAGES).forEach((i) -> connection.sendText("c-" + i)), this.threads);
		List<String> received = connection.messages().map((message) -> ((TextMessage) message).getPayload()).toList();
		sending.join();
		return new Outcome(id, received, connection.getResumes(), connection.getDuplicates());
	}

	private void assertEverythingOnceInOrder(Outcome outcome) {
		List<String> fromServer = IntStream.rangeClosed(1, MESSAGES).mapToObj((i) -> "s-" + i).toList();
		List<String> fromClient = IntStream.rangeClosed(1, MESSAGES).mapToObj((i) -> "c-" + i).toList();
		assertThat(outcome.received()).as("consumer of " + outcome.connectionId()).containsExactlyElementsOf(fromServer);
		SessionRecord record = this.handler.byClient.get(outcome.connectionId());
		assertThat(record).isNotNull();
		// The close frame goes out before the app is told: the client may see it first.
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(record.closed).as("app saw the close").isNotNull());
		assertThat(record.closed.getCode()).isEqualTo(1000);
		assertThat(record.received).as("app of " + outcome.connectionId()).containsExactlyElementsOf(fromClient);
	}

	private URI uri(String client) {
		return URI.create("ws://localhost:" + this.proxy.port() + "/both?client=" + client);
	}

	record Outcome(String connectionId, List<String> received, int resumes, long duplicates) {
	}

	/** What the app's handler saw of one session. */
	static final class SessionRecord {

		final List<String> received = new ArrayList<>();

		volatile boolean paused;

		volatile boolean sentAll;

		volatile CloseStatus closed;

	}

	/**
	 * Sends {@value #MESSAGES} messages from its own thread, counts what the client sends,
	 * and closes (after the client's acknowledgements) once both are complete.
	 */
	static class BothWaysHandler extends TextWebSocketHandler {

		final Map<WebSocketSession, SessionRecord> sessions = new ConcurrentHashMap<>();

		/** The same records, by the client's name in the first connection's query. */
		final Map<String, SessionRecord> byClient = new ConcurrentHashMap<>();

		private final ExecutorService senders = Executors.newCachedThreadPool();

		/** When set, each session sends 100 messages, then waits for it before the rest. */
		volatile CountDownLatch gate;

		@Override
		public void afterConnectionEstablished(WebSocketSession session) {
			if (session.getUri().getQuery().contains("wsdrain-token")) {
				// A resume the server could not honour opens a new session: not one of the test's.
				return;
			}
			SessionRecord record = new SessionRecord();
			this.sessions.put(session, record);
			this.byClient.put(UriComponentsBuilder.fromUri(session.getUri()).build().getQueryParams().getFirst("client"),
					record);
			CountDownLatch pause = this.gate;
			this.senders.execute(() -> {
				try {
					for (int i = 1; i <= MESSAGES; i++) {
						if (i == 101 && pause != null) {
							record.paused = true;
							pause.await();
						}
						session.sendMessage(new TextMessage("s-" + i));
					}
				}
				catch (IOException | InterruptedException ex) {
					throw new IllegalStateException(ex);
				}
				record.sentAll = true;
				closeIfDone(session, record);
			});
		}

		@Override
		protected void handleTextMessage(WebSocketSession session, TextMessage message) {
			SessionRecord record = this.sessions.get(session);
			if (record == null) {
				return;
			}
			synchronized (record) {
				record.received.add(message.getPayload());
			}
			closeIfDone(session, record);
		}

		private void closeIfDone(WebSocketSession session, SessionRecord record) {
			synchronized (record) {
				if (record.sentAll && record.received.size() == MESSAGES) {
					((ResumableSession) session).closeAsync(CloseStatus.NORMAL);
				}
			}
		}

		@Override
		public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
			SessionRecord record = this.sessions.get(session);
			if (record != null) {
				record.closed = status;
			}
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableWebSocket
	static class BothWaysApplication implements WebSocketConfigurer {

		@Bean
		BothWaysHandler bothWaysHandler() {
			return new BothWaysHandler();
		}

		@Override
		public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
			registry.addHandler(bothWaysHandler(), "/both");
		}

	}

}

package io.github.wsdrain.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.github.wsdrain.metrics.WsDrainClientMetrics;
import io.github.wsdrain.server.ServerSelection;
import io.github.wsdrain.server.resume.ResumableSession;
import io.github.wsdrain.testsupport.ChaosProxy;
import io.github.wsdrain.testsupport.ResumeTestApplication.Recorder;
import io.github.wsdrain.testsupport.ResumeTestApplication;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.util.backoff.FixedBackOff;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

import static io.github.wsdrain.testsupport.ResumeTestApplication.sendQuietly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The reliable client against a real Tomcat, through a proxy that cuts connections on
 * command: what it receives, sends, tells the app, and shows in its meters.
 */
@SpringBootTest(classes = ResumeTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { ServerSelection.TOMCAT, "wsdrain.server.resume.window=30s" })
class ReliableConnectionTests {

	@LocalServerPort
	private int port;

	@Autowired
	private Recorder recorder;

	private ChaosProxy proxy;

	private final BufferedWebSocketClient client = new BufferedWebSocketClient();

	private final Events events = new Events();

	@BeforeEach
	void startProxy() throws Exception {
		this.recorder.clear();
		this.proxy = new ChaosProxy(this.port);
	}

	@AfterEach
	void stopProxy() throws Exception {
		this.proxy.close();
	}

	/** 3 cuts during 3,000 messages each way: each side gets all 3,000 once, in order. */
	@Test
	void whenTheConnectionIsCutThenEveryMessageArrivesOnceInOrderBothWays() throws Exception {
		int count = 3000;
		ReliableWebSocketConnection connection = connect();
		WebSocketSession session = this.recorder.nextSession();
		CompletableFuture<Void> serverSends = CompletableFuture
			.runAsync(() -> IntStream.rangeClosed(1, count).forEach((i) -> sendQuietly(session, "s-" + i)));
		CompletableFuture<Void> clientSends = CompletableFuture
			.runAsync(() -> IntStream.rangeClosed(1, count).forEach((i) -> connection.sendText("c-" + i)));
		List<String> received = new ArrayList<>();
		while (received.size() < count) {
			received.add(((TextMessage) connection.receive()).getPayload());
			if (received.size() % 1000 == 0) {
				this.proxy.cut();
			}
		}
		serverSends.get(30, TimeUnit.SECONDS);
		clientSends.get(30, TimeUnit.SECONDS);
		await().atMost(Duration.ofSeconds(30)).until(() -> this.recorder.received.size() >= count);

		assertThat(received).containsExactlyElementsOf(numbered("s-", count));
		assertThat(List.copyOf(this.recorder.received)).containsExactlyElementsOf(numbered("c-", count));
		// The first cut always hits a live connection; the later ones may find it reconnecting.
		await().atMost(Duration.ofSeconds(10)).until(() -> this.events.all.contains("resumed"));
		assertThat(connection.getResumes()).isPositive();
		assertThat(this.events.all).contains("reconnecting", "resumed").doesNotContain("not-recovered", "closed");
		connection.close();
	}

	/** The server closes after everything is acknowledged: the stream of messages ends normally. */
	@Test
	void whenTheServerClosesTheSessionThenTheStreamEndsNormallyAfterEveryMessage() throws Exception {
		ReliableWebSocketConnection connection = connect();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		IntStream.rangeClosed(1, 500).forEach((i) -> sendQuietly(session, "s-" + i));
		CompletableFuture<io.github.wsdrain.session.CloseResult> closed = session.closeAsync(CloseStatus.NORMAL);

		List<String> received = connection.messages().map((message) -> ((TextMessage) message).getPayload()).toList();

		assertThat(received).containsExactlyElementsOf(numbered("s-", 500));
		assertThat(closed.get(10, TimeUnit.SECONDS).unacknowledged()).isZero();
		assertThat(connection.isClosed()).isTrue();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.events.all.contains("closed"));
	}

	/** While the network is down, sends are kept and replayed once it is back. */
	@Test
	void whenTheAppSendsWhileDisconnectedThenTheMessagesAreReplayedOnReconnect() throws Exception {
		ReliableWebSocketConnection connection = connect();
		this.recorder.nextSession();
		this.proxy.refuse(true);
		this.proxy.cut();
		await().atMost(Duration.ofSeconds(10)).until(() -> !connection.isConnected());
		IntStream.rangeClosed(1, 100).forEach((i) -> connection.sendText("c-" + i));
		assertThat(connection.getUnacknowledgedMessages()).isEqualTo(100);

		this.proxy.refuse(false);

		await().atMost(Duration.ofSeconds(30)).until(() -> this.recorder.received.size() >= 100);
		assertThat(List.copyOf(this.recorder.received)).containsExactlyElementsOf(numbered("c-", 100));
		await().atMost(Duration.ofSeconds(5)).until(() -> connection.getUnacknowledgedMessages() == 0);
		connection.close();
	}

	/**
	 * While the client is away the app sends 3,000 messages of 1 KB into a 1 MB replay
	 * buffer: the buffer stops at its bound (about 1,000 messages) and the sender waits; on
	 * the resume all 3,000 arrive once, in order.
	 */
	@Test
	void whenTheClientStaysAwayThenTheReplayBufferHoldsItsBoundAndTheSenderWaits() throws Exception {
		ReliableWebSocketConnection connection = connect();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		this.proxy.refuse(true);
		this.proxy.cut();
		await().atMost(Duration.ofSeconds(10)).until(() -> !session.isConnected());
		String kilobyte = "x".repeat(1024);
		CompletableFuture<Void> sending = CompletableFuture
			.runAsync(() -> IntStream.rangeClosed(1, 3000).forEach((i) -> sendQuietly(session, i + "|" + kilobyte)));

		int bound = 1024 * 1024 / (1024 + 6);
		await().atMost(Duration.ofSeconds(10)).until(() -> session.getUnacknowledgedMessages() >= bound - 10);
		await().during(Duration.ofMillis(300))
			.atMost(Duration.ofSeconds(2))
			.until(() -> session.getUnacknowledgedMessages() <= bound && !sending.isDone());

		this.proxy.refuse(false);
		List<String> indexes = new ArrayList<>();
		while (indexes.size() < 3000) {
			String payload = ((TextMessage) connection.receive()).getPayload();
			indexes.add(payload.substring(0, payload.indexOf('|')));
		}
		sending.get(10, TimeUnit.SECONDS);
		assertThat(indexes).containsExactlyElementsOf(IntStream.rangeClosed(1, 3000).mapToObj(String::valueOf).toList());
		connection.close();
	}

	/** The session ended on the server while the client was away: reported, never a silent gap. */
	@Test
	void whenTheServerNoLongerHasTheSessionThenReceiveReportsNotRecoveredAfterWhatArrived() throws Exception {
		ReliableWebSocketConnection connection = connect();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		sendQuietly(session, "before");
		assertThat(((TextMessage) connection.receive()).getPayload()).isEqualTo("before");
		this.proxy.refuse(true);
		this.proxy.cut();
		await().atMost(Duration.ofSeconds(10)).until(() -> !session.isConnected());
		session.closeAsync(CloseStatus.NORMAL).get(10, TimeUnit.SECONDS);

		this.proxy.refuse(false);

		assertThatExceptionOfType(SessionNotRecoveredException.class)
			.isThrownBy(() -> connection.receive(Duration.ofSeconds(30)));
		// The listener hears of the end on the thread that ended the session, maybe just after receive() did.
		await().atMost(Duration.ofSeconds(5)).until(() -> this.events.all.contains("closed"));
		assertThat(this.events.all).containsExactly("reconnecting", "not-recovered", "closed");
		assertThat(connection.isClosed()).isTrue();
	}

	/** An endpoint that cannot carry wsdrain.v1 (it takes partial messages) answers plain WebSocket. */
	@Test
	void whenTheEndpointDoesNotSpeakTheProtocolThenConnectFailsClearly() {
		assertThatExceptionOfType(WebSocketConnectException.class)
			.isThrownBy(() -> this.client.connectReliable(URI.create("ws://localhost:" + this.port + "/partial"), null))
			.withMessageContaining("did not accept the wsdrain.v1 sub-protocol");
	}

	/**
	 * A server that cannot be reached for the first attempts (every connection reset):
	 * the first connection is tried again with the back-off, 50 ms apart, within the 10 s
	 * connect timeout, and the session then works.
	 */
	@Test
	void whenTheServerIsUnreachableAtFirstThenTheFirstConnectionIsRetried() throws Exception {
		this.proxy.refuse(true);
		this.client.setReconnectBackOff(new FixedBackOff(50, 1000));
		CompletableFuture<ReliableWebSocketConnection> connecting = CompletableFuture.supplyAsync(this::connect);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.proxy.refused() >= 2);
		assertThat(connecting).isNotDone();

		this.proxy.refuse(false);
		ReliableWebSocketConnection connection = connecting.get(10, TimeUnit.SECONDS);
		connection.sendText("after the retries");

		assertThat(this.recorder.nextMessage()).isEqualTo("after the retries");
		connection.close();
	}

	/** A server still unreachable when the 500 ms connect timeout ends: the connect fails, after several attempts. */
	@Test
	void whenTheServerStaysUnreachableThenTheFirstConnectionFailsAtTheConnectTimeout() {
		this.proxy.refuse(true);
		this.client.setReconnectBackOff(new FixedBackOff(50, 1000));
		this.client.setConnectTimeout(Duration.ofMillis(500));
		assertThatExceptionOfType(WebSocketConnectException.class).isThrownBy(this::connect);
		assertThat(this.proxy.refused()).isGreaterThan(1);
	}

	/** The client closes: what it sent is acknowledged first, the app sees a normal close. */
	@Test
	void whenTheClientClosesThenItsMessagesAreDeliveredAndTheAppSeesANormalClose() throws Exception {
		ReliableWebSocketConnection connection = connect();
		WebSocketSession session = this.recorder.nextSession();
		IntStream.rangeClosed(1, 1000).forEach((i) -> connection.sendText("c-" + i));

		connection.close();

		assertThat(List.copyOf(this.recorder.received)).containsExactlyElementsOf(numbered("c-", 1000));
		assertThat(this.recorder.closeOf(session).status().getCode()).isEqualTo(1000);
		assertThatExceptionOfType(ConnectionClosedException.class).isThrownBy(connection::receive)
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(1000));
	}

	/**
	 * The {@code wsdrain.client.} meters, through a cut and a message after the resume:
	 * {@code wsdrain.client.reconnects} reads at least 1 with the connection open, and
	 * keeps it once the connection is closed.
	 */
	@Test
	void whenAReliableConnectionIsCutThenReconnectsCountItAndKeepItAfterTheClose() throws Exception {
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		new WsDrainClientMetrics(this.client).bindTo(meters);
		ReliableWebSocketConnection connection = this.client
			.connectReliable(URI.create("ws://localhost:" + this.proxy.port() + "/resume"), null);
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		assertThat(meters.get("wsdrain.client.connections").gauge().value()).isEqualTo(1);
		assertThat(counter(meters, "wsdrain.client.reconnects")).isZero();

		this.proxy.cut();
		await().atMost(Duration.ofSeconds(30)).until(() -> counter(meters, "wsdrain.client.reconnects") >= 1);
		sendQuietly(session, "after the cut");
		assertThat(((TextMessage) connection.receive()).getPayload()).isEqualTo("after the cut");
		assertThat(counter(meters, "wsdrain.client.reconnects")).isEqualTo(connection.getReconnects());

		connection.close();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> meters.get("wsdrain.client.connections").gauge().value() == 0);
		assertThat(counter(meters, "wsdrain.client.reconnects")).isGreaterThanOrEqualTo(1);
		assertThat(counter(meters, "wsdrain.client.duplicates")).isEqualTo(connection.getDuplicates());
	}

	private ReliableWebSocketConnection connect() {
		return this.client.connectReliable(URI.create("ws://localhost:" + this.proxy.port() + "/resume"), this.events);
	}

	private static List<String> numbered(String prefix, int count) {
		return IntStream.rangeClosed(1, count).mapToObj((i) -> prefix + i).toList();
	}

	private static double counter(SimpleMeterRegistry meters, String name) {
		return meters.get(name).functionCounter().count();
	}

	static class Events implements ReliableConnectionListener {

		final List<String> all = new CopyOnWriteArrayList<>();

		@Override
		public void reconnecting(ReliableWebSocketConnection connection, CloseStatus status) {
			this.all.add("reconnecting");
		}

		@Override
		public void resumed(ReliableWebSocketConnection connection) {
			this.all.add("resumed");
		}

		@Override
		public void notRecovered(ReliableWebSocketConnection connection) {
			this.all.add("not-recovered");
		}

		@Override
		public void closed(ReliableWebSocketConnection connection, CloseStatus status) {
			this.all.add("closed");
		}

	}

}

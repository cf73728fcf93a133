package io.github.wsdrain.sample;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.wsdrain.client.BufferedWebSocketClient;
import io.github.wsdrain.client.ConnectionClosedException;
import io.github.wsdrain.client.ReconnectBackoff;
import io.github.wsdrain.client.ReliableWebSocketConnection;
import io.github.wsdrain.protocol.ChaosProxy;
import io.github.wsdrain.server.ServerSelection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The Java reliable client through a proxy that resets every connection 300–900 ms after
 * it opened, from the first handshake on, and one whose first handshakes fail: the same
 * scenarios as the browser's. The server's heartbeat is 250 ms, the client's timeout 1 s.
 */
@SpringBootTest(classes = SampleApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { ServerSelection.TOMCAT, "wsdrain.server.resume.heartbeat=250ms" })
class ReliableClientUnderCutsTests {

	private static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(30);

	@LocalServerPort
	private int port;

	private ChaosProxy proxy;

	private final BufferedWebSocketClient client = new BufferedWebSocketClient();

	@BeforeEach
	void startProxy() throws Exception {
		this.proxy = new ChaosProxy(this.port);
		this.client.setReconnectBackoff(new ReconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500), 2.0, 100));
		this.client.setHeartbeatTimeout(Duration.ofSeconds(1));
	}

	@AfterEach
	void stopProxy() throws Exception {
		this.proxy.close();
	}

	/** 20,000 then 1,000 messages, every connection cut after 300–900 ms: 0 lost, 0 duplicated, in order. */
	@Test
	void aFeedOf20000Then1000ArrivesExactlyOnceInOrderWhileEveryConnectionIsCut() throws Exception {
		this.proxy.cutEachAfter(Duration.ofMillis(300), Duration.ofMillis(900));

		int resumes = readFeed(20_000) + readFeed(1_000);

		assertThat(resumes).isPositive();
	}

	/** The first three handshakes are reset: the first connection is retried and the 1,000 messages arrive. */
	@Test
	void aFirstConnectionWhoseHandshakesFailIsRetriedUntilItOpens() throws Exception {
		this.proxy.resetNext(3);

		readFeed(1_000);
	}

	/** A server that is not there at all: the first connection is retried until the connect timeout, then fails. */
	@Test
	void aFirstConnectionThatNeverOpensFailsAfterTheConnectTimeout() {
		this.proxy.refuse(true);
		this.client.setConnectTimeout(Duration.ofSeconds(1));

		assertThatExceptionOfType(RuntimeException.class)
			.isThrownBy(() -> this.client.connectReliable(uri("/demo/feed?count=10"), null))
			.withMessageContaining("attempt(s)");
	}

	/** 3,000 messages to /demo/echo and back, every connection cut after 300–900 ms: each once, in order, both ways. */
	@Test
	void anEchoOf3000MessagesArrivesExactlyOnceInOrderBothWaysWhileEveryConnectionIsCut() throws Exception {
		this.proxy.cutEachAfter(Duration.ofMillis(300), Duration.ofMillis(900));
		ReliableWebSocketConnection connection = this.client.connectReliable(uri("/demo/echo"), null);
		// Ten messages every 10 ms: the exchange takes about 3 s and spans several cuts.
		CompletableFuture<Void> sent = new CompletableFuture<>();
		AtomicInteger next = new AtomicInteger();
		ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
		pacer.scheduleAtFixedRate(() -> {
			for (int k = 0; k < 10 && next.get() < 3000; k++) {
				connection.send(new TextMessage(next.getAndIncrement() + "|echo"));
			}
			if (next.get() == 3000) {
				sent.complete(null);
			}
		}, 0, 10, TimeUnit.MILLISECONDS);
		for (int i = 0; i < 3000; i++) {
			WebSocketMessage<?> echo = connection.receive(RECEIVE_TIMEOUT);
			assertThat(echo.getPayload()).isEqualTo(i + "|echo");
		}
		sent.get(30, TimeUnit.SECONDS);
		pacer.shutdownNow();
		connection.close();
		assertThat(connection.getResumes()).isPositive();
		assertThat(this.proxy.cuts()).isPositive();
	}

	/** A proxy that silently stops forwarding: the heartbeat timeout notices and the 2,000 messages still arrive. */
	@Test
	void theHeartbeatNoticesAProxyThatSilentlyStopsForwarding() throws Exception {
		ReliableWebSocketConnection connection = this.client
			.connectReliable(uri("/demo/feed?count=2000&size=64&rate=1000"), null);
		for (int i = 0; i < 300; i++) {
			assertThat(connection.receive(RECEIVE_TIMEOUT).getPayload().toString()).startsWith(i + "|");
		}

		this.proxy.silence();

		for (int i = 300; i < 2000; i++) {
			assertThat(connection.receive(RECEIVE_TIMEOUT).getPayload().toString()).startsWith(i + "|");
		}
		assertThat(connection.getResumes()).isPositive();
		connection.close();
	}

	/** Read the feed to its end: every index once, in order, then the server's 1000. Return the resumes. */
	private int readFeed(int count) throws Exception {
		ReliableWebSocketConnection connection = this.client
			.connectReliable(uri("/demo/feed?count=" + count + "&size=64&rate=10000"), null);
		for (int i = 0; i < count; i++) {
			String payload = connection.receive(RECEIVE_TIMEOUT).getPayload().toString();
			assertThat(payload).startsWith(i + "|");
		}
		assertThatExceptionOfType(ConnectionClosedException.class)
			.isThrownBy(() -> connection.receive(RECEIVE_TIMEOUT))
			.satisfies((end) -> assertThat(end.getCode()).isEqualTo(1000));
		return connection.getResumes();
	}

	private URI uri(String path) {
		return URI.create("ws://127.0.0.1:" + this.proxy.port() + path);
	}

}

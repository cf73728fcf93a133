package io.github.wsdrain.sample;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

import io.github.wsdrain.client.BufferedWebSocketClient;
import io.github.wsdrain.client.ConnectionClosedException;
import io.github.wsdrain.client.ReliableWebSocketConnection;
import io.github.wsdrain.testsupport.ChaosProxy;
import io.github.wsdrain.testsupport.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code /demo/feed} on two sample-app nodes sharing one {@code redis-server}
 * ({@code wsdrain.server.resume.store=redis}) behind a proxy that sends each new
 * connection to the other node and cuts every connection 300–900 ms after it opened (once
 * the session is open): the
 * feed continues on whichever node took the session over, from its last sent message;
 * the reliable client reads all 5,000 indexes exactly once, in order, then the 1000.
 */
class FeedOnTwoNodesTests {

	private static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(30);

	private static final int COUNT = 5_000;

	@RegisterExtension
	static final RedisServer redis = new RedisServer();

	private ConfigurableApplicationContext nodeA;

	private ConfigurableApplicationContext nodeB;

	private ChaosProxy proxy;

	private final BufferedWebSocketClient client = new BufferedWebSocketClient();

	@BeforeEach
	void start() throws Exception {
		this.nodeA = node("a");
		this.nodeB = node("b");
		this.proxy = new ChaosProxy(port(this.nodeA), port(this.nodeB));
		this.client.setReconnectBackOff(
				BufferedWebSocketClient.reconnectBackOff(Duration.ofMillis(50), Duration.ofMillis(500), 2.0, 100));
	}

	@AfterEach
	void stop() throws Exception {
		this.proxy.close();
		this.client.close();
		this.nodeA.close();
		this.nodeB.close();
	}

	@Test
	void theFeedContinuesOnTheNodeThatTookTheSessionOver() throws Exception {
		ReliableWebSocketConnection connection = this.client.connectReliable(
				URI.create("ws://127.0.0.1:" + this.proxy.port() + "/demo/feed?count=" + COUNT + "&size=64&rate=2000"),
				null);
		// From the first session frame on: a busy machine may take longer than a cut to open the session.
		this.proxy.cutEachAfter(Duration.ofMillis(300), Duration.ofMillis(900));
		for (int i = 0; i < COUNT; i++) {
			assertThat(connection.receive(RECEIVE_TIMEOUT).getPayload().toString()).startsWith(i + "|");
		}
		assertThatExceptionOfType(ConnectionClosedException.class)
			.isThrownBy(() -> connection.receive(RECEIVE_TIMEOUT))
			.satisfies((end) -> assertThat(end.getCode()).isEqualTo(1000));
		assertThat(connection.getResumes()).isPositive();
		System.out.printf("feed on two nodes: %,d indexes once in order, %d resumes, %d cuts%n", COUNT,
				connection.getResumes(), this.proxy.cuts());
	}

	private static ConfigurableApplicationContext node(String id) {
		return new SpringApplicationBuilder(SampleApplication.class)
			.properties(ServerSelection.TOMCAT, "server.port=0", "spring.main.banner-mode=off",
					"wsdrain.server.resume.store=redis", redis.portProperty(),
					"wsdrain.server.resume.redis.node-id=" + id)
			.run();
	}

	private static int port(ConfigurableApplicationContext node) {
		return Integer.parseInt(Objects.requireNonNull(node.getEnvironment().getProperty("local.server.port")));
	}

}

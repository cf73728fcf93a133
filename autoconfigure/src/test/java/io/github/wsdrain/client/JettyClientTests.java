package io.github.wsdrain.client;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.client.RawWebSocketServer.RawConnection;
import io.github.wsdrain.client.TestClients.Drained;
import jakarta.websocket.WebSocketContainer;
import org.eclipse.jetty.ee11.websocket.jakarta.client.JakartaWebSocketClientContainerProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.web.socket.client.standard.StandardWebSocketClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same guarantee on Jetty's JSR-356 client (any Spring {@code WebSocketClient} can be
 * wrapped): 10,000 messages sent right after the handshake for each ending, 0 lost, and
 * a close answered by the peer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JettyClientTests {

	private static WebSocketContainer container;

	private static RawWebSocketServer server;

	private static BufferedWebSocketClient client;

	@BeforeAll
	static void start() throws IOException {
		container = JakartaWebSocketClientContainerProvider.getContainer(null);
		client = new BufferedWebSocketClient(new StandardWebSocketClient(container));
		client.setReceiveTimeout(Duration.ofSeconds(20));
		server = RawWebSocketServer.start(JettyClientTests::burst);
		warmUp();
	}

	/**
	 * Jetty's first connection loads its HTTP client (seconds on a busy machine) and
	 * Jetty gives up connecting after 5 s: connect once, untimed, before the scenarios.
	 */
	private static void warmUp() {
		for (int attempt = 0; attempt < 3; attempt++) {
			try {
				client.connect(server.uri("/client-closes")).close();
				return;
			}
			catch (WebSocketConnectException ex) {
				// still cold: try again
			}
		}
	}

	@AfterAll
	static void stop() throws Exception {
		server.close();
		JakartaWebSocketClientContainerProvider.stop(container);
	}

	@AfterEach
	void serverHadNoFailure() {
		assertThat(server.getFailures()).isEmpty();
	}

	private static void burst(RawConnection connection) throws Exception {
		String end = connection.path().substring(1);
		if (end.equals("client-closes")) {
			connection.readUntilClose();
			connection.sendClose(1000, "");
			connection.awaitEndOfStream();
			return;
		}
		for (int i = 0; i < 10_000; i++) {
			connection.sendText(TestClients.message(i));
		}
		switch (end) {
			case "close" -> {
				connection.sendClose(1000, "done");
				connection.readUntilClose();
			}
			case "eof" -> connection.endWithoutCloseFrame();
			case "reset" -> connection.reset();
			default -> throw new IllegalArgumentException(end);
		}
	}

	@Test
	void onJettyWhen10000MessagesThenCloseFrame1000ThenAll10000AreReceivedThenClosed1000() throws Exception {
		Drained drained = run("close", true);
		assertThat(drained.closed().getCode()).isEqualTo(1000);
		assertThat(drained.closed().isCloseFrameReceived()).isTrue();
	}

	@Test
	void onJettyWhen10000MessagesThenEndWithoutCloseFrameThenAll10000AreReceivedThenClosed1006() throws Exception {
		Drained drained = run("eof", true);
		assertThat(drained.closed().getCode()).isEqualTo(1006);
		assertThat(drained.closed().isCloseFrameReceived()).isFalse();
	}

	@Test
	void onJettyWhen10000MessagesThenResetThenEveryDeliveredMessageIsReceivedInOrderThenClosed1006()
			throws Exception {
		Drained drained = run("reset", false);
		assertThat(drained.closed().getCode()).isEqualTo(1006);
		assertThat(drained.closed().isCloseFrameReceived()).isFalse();
	}

	@Test
	void onJettyWhenThisSideClosesAndThePeerAnswersThenCloseReturnsWithCloseFrameReceived() throws Exception {
		BufferedWebSocketConnection connection = client.connect(server.uri("/client-closes"));
		connection.close();
		assertThat(connection.isClosed()).isTrue();
		Drained drained = TestClients.drain(connection);
		assertThat(drained.closed().getCode()).isEqualTo(1000);
		assertThat(drained.closed().isCloseFrameReceived()).isTrue();
	}

	private Drained run(String end, boolean all) throws Exception {
		try (BufferedWebSocketConnection connection = client.connect(server.uri("/" + end))) {
			Drained drained = TestClients.drain(connection);
			List<String> texts = drained.texts();
			if (all) {
				assertThat(texts).hasSize(10_000);
			}
			for (int i = 0; i < texts.size(); i++) {
				assertThat(texts.get(i)).isEqualTo(TestClients.message(i));
			}
			assertThat(connection.getDroppedMessages()).isZero();
			assertThat(connection.getReceivedMessages()).isEqualTo(texts.size());
			return drained;
		}
	}

}

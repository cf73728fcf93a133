package io.github.wsdrain.client;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.testsupport.RawFrame;
import io.github.wsdrain.client.TestClients.Drained;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.web.util.UriComponentsBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guarantee: every message the transport delivered before the connection ended is
 * returned, in order, before the {@link ConnectionClosedException} — for a close frame,
 * an end of stream without close frame, and a reset, with one burst of 10,000 messages
 * and with 1,000 connections of 100 messages each.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CloseOrderingTests {

	private static RawWebSocketServer server;

	private static BufferedWebSocketClient client;

	@BeforeAll
	static void startServer() throws IOException {
		server = RawWebSocketServer.start(CloseOrderingTests::burst);
		client = TestClients.tomcat();
	}

	@AfterAll
	static void stopServer() throws IOException {
		server.close();
	}

	@AfterEach
	void serverHadNoFailure() {
		assertThat(server.getFailures()).isEmpty();
	}

	/**
	 * {@code /burst?count=N&end=close|eof|reset}: N text messages written at once, then
	 * the end.
	 */
	private static void burst(RawWebSocketServer.RawConnection connection) throws Exception {
		Map<String, List<String>> query = UriComponentsBuilder.fromUriString(connection.path()).build().getQueryParams();
		int count = Integer.parseInt(query.get("count").get(0));
		String end = query.get("end").get(0);
		for (int i = 0; i < count; i++) {
			connection.sendText(TestClients.message(i));
		}
		switch (end) {
			case "close" -> {
				connection.sendClose(1000, "done");
				List<RawFrame> reply = connection.readUntilClose();
				assertThat(reply).isNotEmpty();
				assertThat(reply.get(reply.size() - 1).isClose()).isTrue();
			}
			case "eof" -> connection.endWithoutCloseFrame();
			case "reset" -> connection.reset();
			default -> throw new IllegalArgumentException(end);
		}
	}

	@Test
	void whenServerSends10000MessagesThenCloseFrame1000ThenAll10000AreReceivedThenClosed1000With0Lost()
			throws Exception {
		Drained drained = run(10_000, "close");
		assertAllThen(drained, 10_000, 1000, true);
		assertThat(drained.closed().getReason()).isEqualTo("done");
		assertThat(drained.closed().isNormalClosure()).isTrue();
	}

	@Test
	void whenServerSends10000MessagesThenEndsTcpWithoutCloseFrameThenAll10000AreReceivedThenClosed1006With0Lost()
			throws Exception {
		Drained drained = run(10_000, "eof");
		assertAllThen(drained, 10_000, 1006, false);
	}

	@Test
	void whenServerSends10000MessagesThenResetsTcpThenEveryDeliveredMessageIsReceivedInOrderThenClosed1006()
			throws Exception {
		Drained drained = runReset(10_000);
		assertThat(drained.closed().getCode()).isEqualTo(1006);
	}

	@Test
	void in1000ConnectionsOf100MessagesEndedByCloseFrame1000All100000AreReceivedThenClosed1000() throws Exception {
		for (int i = 0; i < 1000; i++) {
			assertAllThen(run(100, "close"), 100, 1000, true);
		}
	}

	@Test
	void in1000ConnectionsOf100MessagesEndedWithoutCloseFrameAll100000AreReceivedThenClosed1006() throws Exception {
		for (int i = 0; i < 1000; i++) {
			assertAllThen(run(100, "eof"), 100, 1006, false);
		}
	}

	@Test
	void in1000ConnectionsOf100MessagesEndedByResetEveryDeliveredMessageIsReceivedInOrderThenClosed1006()
			throws Exception {
		long delivered = 0;
		for (int i = 0; i < 1000; i++) {
			delivered += runReset(100).texts().size();
		}
		// A reset may discard bytes the kernel had not handed over yet; nothing handed over is lost.
		System.out.println("Reset after 100 messages, 1,000 connections: " + delivered + " of 100,000 delivered");
	}

	private Drained run(int count, String end) throws Exception {
		try (BufferedWebSocketConnection connection = client
			.connect(server.uri("/burst?count=" + count + "&end=" + end))) {
			Drained drained = TestClients.drain(connection);
			assertThat(connection.getDroppedMessages()).isZero();
			assertThat(connection.getReceivedMessages()).isEqualTo(drained.texts().size());
			return drained;
		}
	}

	private Drained runReset(int count) throws Exception {
		Drained drained = run(count, "reset");
		List<String> texts = drained.texts();
		assertThat(texts.size()).isLessThanOrEqualTo(count);
		for (int i = 0; i < texts.size(); i++) {
			assertThat(texts.get(i)).isEqualTo(TestClients.message(i));
		}
		assertThat(drained.closed().getCode()).isEqualTo(1006);
		assertThat(drained.closed().isCloseFrameReceived()).isFalse();
		return drained;
	}

	private static void assertAllThen(Drained drained, int count, int code, boolean closeFrameReceived) {
		List<String> texts = drained.texts();
		assertThat(texts).hasSize(count);
		for (int i = 0; i < count; i++) {
			assertThat(texts.get(i)).isEqualTo(TestClients.message(i));
		}
		assertThat(drained.closed().getCode()).isEqualTo(code);
		assertThat(drained.closed().isCloseFrameReceived()).isEqualTo(closeFrameReceived);
	}

}

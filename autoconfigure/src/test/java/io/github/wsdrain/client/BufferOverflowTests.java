package io.github.wsdrain.client;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.github.wsdrain.testsupport.RawFrame;
import io.github.wsdrain.client.TestClients.Drained;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The receive buffer's bound and each {@link ReceiveOverflowPolicy}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BufferOverflowTests {

	private static final int LARGE = 32 * 1024;

	private RawWebSocketServer server;

	private final BufferedWebSocketClient client = TestClients.tomcat();

	@AfterEach
	void stopServer() throws IOException {
		if (this.server != null) {
			assertThat(this.server.getFailures()).isEmpty();
			this.server.close();
		}
	}

	/**
	 * 1,000 messages of 32 KiB (32 MiB, more than the kernel buffers) to a consumer that
	 * stalls: the server cannot write them all while the consumer stalls, the buffer stays
	 * within 8 messages, and all 1,000 arrive in order, 0 lost.
	 */
	@Test
	void whenConsumerStallsWithBlockThen1000LargeMessagesArriveWith0LostAndTheBufferNeverExceeds8Messages()
			throws Exception {
		blockScenario(8, DataSize.ofMegabytes(1), 8);
	}

	/**
	 * As above with the byte bound binding: 200 KiB hold 6 messages of 32 KiB.
	 */
	@Test
	void whenConsumerStallsWithBlockThen1000LargeMessagesArriveWith0LostAndTheBufferNeverExceeds200KiB()
			throws Exception {
		blockScenario(1000, DataSize.ofKilobytes(200), 6);
	}

	private void blockScenario(int maxMessages, DataSize maxBytes, int fullAt) throws Exception {
		int total = 1000;
		AtomicInteger written = new AtomicInteger();
		this.server = RawWebSocketServer.start((connection) -> {
			connection.socket().setSendBufferSize(16 * 1024);
			// Burst once the client asks: the bound holds from the end of the handshake.
			assertThat(connection.readFrame().text()).isEqualTo("go");
			for (int i = 0; i < total; i++) {
				connection.sendText(large(i));
				connection.flush();
				written.incrementAndGet();
			}
			connection.sendClose(1000, "done");
			assertThat(lastFrame(connection.readUntilClose()).closeCode()).isEqualTo(1000);
		});
		this.client.setOverflowPolicy(ReceiveOverflowPolicy.BLOCK);
		this.client.setMaxBufferedMessages(maxMessages);
		this.client.setMaxBufferedBytes(maxBytes);
		try (BufferedWebSocketConnection connection = this.client.connect(this.server.uri("/large"))) {
			connection.sendText("go");
			await().atMost(Duration.ofSeconds(10)).until(() -> connection.getBufferedMessages() == fullAt);
			// Stalled consumer: the reading thread is held, so TCP pushes back on the server.
			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
				.until(() -> written.get() < total && connection.getBufferedMessages() == fullAt);
			int received = 0;
			// A slow consumer: 50 times, wait for the buffer to fill up again, then take one.
			for (; received < 50; received++) {
				await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(10))
					.until(() -> connection.getBufferedMessages() == fullAt);
				assertThat(TestClients.text(connection.receive())).isEqualTo(large(received));
			}
			Drained rest = TestClients.drain(connection);
			for (String text : rest.texts()) {
				assertThat(text).isEqualTo(large(received++));
			}
			assertThat(received).isEqualTo(total);
			assertThat(rest.closed().getCode()).isEqualTo(1000);
			assertThat(connection.getDroppedMessages()).isZero();
			assertThat(connection.getPeakBufferedMessages()).isEqualTo(fullAt);
			assertThat(connection.getPeakBufferedBytes()).isLessThanOrEqualTo(maxBytes.toBytes());
		}
	}

	/**
	 * A server that sends 2,000 messages right after the handshake, to a 4-message
	 * buffer that blocks: the handshake is not stalled by the messages read with it, and
	 * all 2,000 arrive in order, 0 lost.
	 */
	@Test
	void whenServerBursts2000MessagesRightAfterTheHandshakeIntoA4MessageBufferThenConnectReturnsAndAllArrive()
			throws Exception {
		this.server = RawWebSocketServer.start((connection) -> {
			for (int i = 0; i < 2000; i++) {
				connection.sendText(TestClients.message(i));
			}
			connection.sendClose(1000, "");
			connection.readUntilClose();
		});
		this.client.setOverflowPolicy(ReceiveOverflowPolicy.BLOCK);
		this.client.setMaxBufferedMessages(4);
		this.client.setConnectTimeout(Duration.ofSeconds(10));
		try (BufferedWebSocketConnection connection = this.client.connect(this.server.uri("/burst"))) {
			Drained drained = TestClients.drain(connection);
			assertThat(drained.texts()).containsExactlyElementsOf(messages(0, 2000));
			assertThat(drained.closed().getCode()).isEqualTo(1000);
			assertThat(connection.getDroppedMessages()).isZero();
		}
	}

	/**
	 * 100 messages into a 10-message buffer nobody reads, then a close: the last 10
	 * (90–99) are received, 90 dropped and counted, then the close 1000.
	 */
	@Test
	void whenBufferOf10OverflowsWithDropOldestThenTheNewest10AreReceivedAnd90DropsAreCounted() throws Exception {
		Drained drained = overflow(ReceiveOverflowPolicy.DROP_OLDEST, 90);
		assertThat(drained.texts()).containsExactlyElementsOf(messages(90, 100));
		assertThat(drained.closed().getCode()).isEqualTo(1000);
		assertThat(drained.closed().isCloseFrameReceived()).isTrue();
	}

	/**
	 * 100 messages into a 10-message buffer nobody reads, then a close: the first 10
	 * (0–9) are received, 90 dropped and counted, then the close 1000.
	 */
	@Test
	void whenBufferOf10OverflowsWithDropNewestThenTheFirst10AreReceivedAnd90DropsAreCounted() throws Exception {
		Drained drained = overflow(ReceiveOverflowPolicy.DROP_NEWEST, 90);
		assertThat(drained.texts()).containsExactlyElementsOf(messages(0, 10));
		assertThat(drained.closed().getCode()).isEqualTo(1000);
	}

	/**
	 * 100 messages into a 10-message buffer nobody reads: message 10 closes the
	 * connection with 1009; the first 10 are still received, then the close 1009.
	 */
	@Test
	void whenBufferOf10OverflowsWithFailThenTheConnectionClosesWith1009AfterTheFirst10AreReceived()
			throws Exception {
		CompletableFuture<RawFrame> closeFrame = new CompletableFuture<>();
		this.server = RawWebSocketServer.start((connection) -> {
			for (int i = 0; i < 100; i++) {
				connection.sendText(TestClients.message(i));
			}
			connection.flush();
			closeFrame.complete(lastFrame(connection.readUntilClose()));
			try {
				connection.sendClose(1009, "");
			}
			catch (IOException ex) {
				// the client may already have closed the socket
			}
		});
		this.client.setOverflowPolicy(ReceiveOverflowPolicy.FAIL);
		this.client.setMaxBufferedMessages(10);
		try (BufferedWebSocketConnection connection = this.client.connect(this.server.uri("/overflow"))) {
			await().atMost(Duration.ofSeconds(10)).until(connection::isClosed);
			Drained drained = TestClients.drain(connection);
			assertThat(drained.texts()).containsExactlyElementsOf(messages(0, 10));
			assertThat(drained.closed().getCode()).isEqualTo(1009);
			assertThat(drained.closed().isCloseFrameReceived()).isFalse();
			assertThat(drained.closed().getReason()).contains("Receive buffer full");
			assertThat(connection.getDroppedMessages()).isGreaterThanOrEqualTo(1);
			assertThat(closeFrame.get(10, TimeUnit.SECONDS).closeCode()).isEqualTo(1009);
		}
	}

	private Drained overflow(ReceiveOverflowPolicy policy, int expectedDrops) throws Exception {
		this.server = RawWebSocketServer.start((connection) -> {
			for (int i = 0; i < 100; i++) {
				connection.sendText(TestClients.message(i));
			}
			connection.sendClose(1000, "done");
			connection.readUntilClose();
		});
		this.client.setOverflowPolicy(policy);
		this.client.setMaxBufferedMessages(10);
		try (BufferedWebSocketConnection connection = this.client.connect(this.server.uri("/overflow"))) {
			// Nobody reads until the connection has ended: the buffer overflows.
			await().atMost(Duration.ofSeconds(10)).until(connection::isClosed);
			Drained drained = TestClients.drain(connection);
			assertThat(connection.getDroppedMessages()).isEqualTo(expectedDrops);
			assertThat(connection.getPeakBufferedMessages()).isEqualTo(10);
			return drained;
		}
	}

	private static List<String> messages(int from, int to) {
		return IntStream.range(from, to).mapToObj(TestClients::message).toList();
	}

	private static String large(int index) {
		String prefix = index + "|";
		return prefix + "x".repeat(LARGE - prefix.length());
	}

	private static RawFrame lastFrame(List<RawFrame> frames) {
		assertThat(frames).isNotEmpty();
		return frames.get(frames.size() - 1);
	}

}

package io.github.wsdrain.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.github.wsdrain.testsupport.RawFrame;
import io.github.wsdrain.client.TestClients.Drained;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.WebSocketMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Receive timeouts, concurrent sends, the close handshake, whole-message assembly,
 * iteration and connection failures.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionLifecycleTests {

	private RawWebSocketServer server;

	private final BufferedWebSocketClient client = TestClients.tomcat();

	@AfterEach
	void stopServer() throws IOException {
		if (this.server != null) {
			assertThat(this.server.getFailures()).isEmpty();
			this.server.close();
		}
	}

	@Test
	void whenNothingArrivesWithin200MsThenReceiveTimesOutAndTheConnectionStaysUsable() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		this.server = RawWebSocketServer.start((connection) -> {
			release.await();
			connection.sendText("late");
			connection.sendClose(1000, "");
			connection.readUntilClose();
		});
		this.client.setReceiveTimeout(Duration.ofMillis(150));
		try (BufferedWebSocketConnection connection = this.client.connect(this.server.uri("/quiet"))) {
			long start = System.nanoTime();
			assertThatExceptionOfType(ReceiveTimeoutException.class)
				.isThrownBy(() -> connection.receive(Duration.ofMillis(200)))
				.withMessage("No WebSocket message received within 200 ms");
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
			assertThatExceptionOfType(ReceiveTimeoutException.class).isThrownBy(connection::receive)
				.satisfies((ex) -> assertThat(ex.getTimeout()).isEqualTo(Duration.ofMillis(150)));
			assertThat(connection.isOpen()).isTrue();
			release.countDown();
			assertThat(TestClients.text(connection.receive(Duration.ofSeconds(10)))).isEqualTo("late");
			assertThat(TestClients.drain(connection).closed().getCode()).isEqualTo(1000);
		}
	}

	/**
	 * 4 threads send 2,500 messages each at once: the server gets all 10,000 before the
	 * close frame, each thread's in its order.
	 */
	@Test
	void when4ThreadsSend2500MessagesEachThenTheServerGetsAll10000InPerThreadOrderBeforeTheCloseFrame()
			throws Exception {
		CompletableFuture<List<RawFrame>> framesAtServer = new CompletableFuture<>();
		this.server = RawWebSocketServer.start((connection) -> {
			List<RawFrame> frames = connection.readUntilClose();
			connection.sendClose(1000, "bye");
			framesAtServer.complete(frames);
			connection.awaitEndOfStream();
		});
		int threads = 4;
		int perThread = 2500;
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try (BufferedWebSocketConnection connection = this.client.connect(this.server.uri("/sink"))) {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<?>> senders = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int thread = t;
				senders.add(executor.submit(() -> {
					start.await();
					for (int i = 0; i < perThread; i++) {
						connection.sendText(thread + ":" + i);
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> sender : senders) {
				sender.get(30, TimeUnit.SECONDS);
			}
			connection.close();
			assertThatExceptionOfType(ConnectionClosedException.class).isThrownBy(connection::receive)
				.satisfies((ex) -> assertThat(ex.isNormalClosure()).isTrue());
		}
		finally {
			executor.shutdownNow();
		}
		List<RawFrame> frames = framesAtServer.get(10, TimeUnit.SECONDS);
		assertThat(frames).hasSize(threads * perThread + 1);
		assertThat(frames.get(frames.size() - 1).closeCode()).isEqualTo(1000);
		int[] next = new int[threads];
		for (RawFrame frame : frames.subList(0, frames.size() - 1)) {
			String[] parts = frame.text().split(":");
			int thread = Integer.parseInt(parts[0]);
			assertThat(Integer.parseInt(parts[1])).isEqualTo(next[thread]++);
		}
		assertThat(next).containsOnly(perThread);
	}

	/**
	 * close() while 4 threads are sending: every send that returned reached the server
	 * before the close frame; the others failed loudly, none vanished.
	 */
	@Test
	void whenCloseRacesWith4SendingThreadsThenEverySendThatReturnedArrivesBeforeTheCloseFrame() throws Exception {
		CompletableFuture<List<RawFrame>> framesAtServer = new CompletableFuture<>();
		this.server = RawWebSocketServer.start((connection) -> {
			List<RawFrame> frames = connection.readUntilClose();
			connection.sendClose(1000, "");
			framesAtServer.complete(frames);
			connection.awaitEndOfStream();
		});
		int threads = 4;
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		int[] sent = new int[threads];
		try (BufferedWebSocketConnection connection = this.client.connect(this.server.uri("/sink"))) {
			CountDownLatch allSending = new CountDownLatch(threads);
			List<Future<?>> senders = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int thread = t;
				senders.add(executor.submit(() -> {
					try {
						for (int i = 0; i < 1_000_000; i++) {
							connection.sendText(thread + ":" + i);
							sent[thread] = i + 1;
							allSending.countDown();
						}
					}
					catch (IllegalStateException | ConnectionClosedException ex) {
						// refused because the connection is closing: a loud failure, not a loss
					}
					return null;
				}));
			}
			allSending.await();
			connection.close();
			for (Future<?> sender : senders) {
				sender.get(30, TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
		List<RawFrame> frames = framesAtServer.get(10, TimeUnit.SECONDS);
		assertThat(frames.get(frames.size() - 1).isClose()).isTrue();
		int[] received = new int[threads];
		for (RawFrame frame : frames.subList(0, frames.size() - 1)) {
			String[] parts = frame.text().split(":");
			int thread = Integer.parseInt(parts[0]);
			assertThat(Integer.parseInt(parts[1])).isEqualTo(received[thread]++);
		}
		assertThat(received).containsExactly(sent);
	}

	@Test
	void whenPeerAnswersTheCloseThenCloseReturnsAtOnceWithCloseFrameReceived() throws Exception {
		CompletableFuture<RawFrame> closeAtServer = new CompletableFuture<>();
		this.server = RawWebSocketServer.start((connection) -> {
			List<RawFrame> frames = connection.readUntilClose();
			closeAtServer.complete(frames.get(frames.size() - 1));
			connection.sendClose(4000, "see you");
			connection.awaitEndOfStream();
		});
		this.client.setCloseTimeout(Duration.ofSeconds(10));
		BufferedWebSocketConnection connection = this.client.connect(this.server.uri("/echo-close"));
		long start = System.nanoTime();
		connection.close();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
		assertThat(closeAtServer.get(5, TimeUnit.SECONDS).closeCode()).isEqualTo(1000);
		assertThat(connection.isClosed()).isTrue();
		assertThat(connection.isOpen()).isFalse();
		assertThatExceptionOfType(ConnectionClosedException.class).isThrownBy(connection::receive)
			.satisfies((ex) -> {
				assertThat(ex.getCode()).isEqualTo(1000);
				assertThat(ex.isCloseFrameReceived()).isTrue();
			});
		assertThatExceptionOfType(ConnectionClosedException.class).isThrownBy(() -> connection.sendText("after"));
	}

	/**
	 * A server that never answers the close frame: close() returns after the 500 ms close
	 * timeout, the TCP connection is ended, and receive reports 1006 without close frame.
	 */
	@Test
	void whenPeerNeverAnswersTheCloseThenCloseReturnsAfter500MsCloseTimeoutAndEndsTheConnection() throws Exception {
		CompletableFuture<RawFrame> closeAtServer = new CompletableFuture<>();
		CompletableFuture<Long> endOfStreamAtServer = new CompletableFuture<>();
		this.server = RawWebSocketServer.start((connection) -> {
			List<RawFrame> frames = connection.readUntilClose();
			closeAtServer.complete(frames.get(frames.size() - 1));
			connection.awaitEndOfStream();
			endOfStreamAtServer.complete(System.nanoTime());
		});
		this.client.setCloseTimeout(Duration.ofMillis(500));
		BufferedWebSocketConnection connection = this.client.connect(this.server.uri("/silent"));
		long start = System.nanoTime();
		connection.close();
		Duration closing = Duration.ofNanos(System.nanoTime() - start);
		assertThat(closing).isBetween(Duration.ofMillis(500), Duration.ofSeconds(3));
		assertThat(closeAtServer.get(5, TimeUnit.SECONDS).closeCode()).isEqualTo(1000);
		assertThat(endOfStreamAtServer.get(5, TimeUnit.SECONDS)).isGreaterThan(start);
		assertThatExceptionOfType(ConnectionClosedException.class).isThrownBy(connection::receive)
			.satisfies((ex) -> {
				assertThat(ex.getCode()).isEqualTo(1006);
				assertThat(ex.isCloseFrameReceived()).isFalse();
				assertThat(ex.getReason()).isEqualTo("No close frame within 500 ms");
			});
	}

	/**
	 * A server that reads the close frame and ends the TCP connection without answering:
	 * close() returns by the 500 ms close timeout (Tomcat does not report that end while
	 * its close is pending) and receive reports 1006 without close frame.
	 */
	@Test
	void whenPeerEndsTcpInsteadOfAnsweringTheCloseThenCloseReports1006WithoutCloseFrame() throws Exception {
		this.server = RawWebSocketServer.start((connection) -> {
			connection.readUntilClose();
			connection.endWithoutCloseFrame();
		});
		this.client.setCloseTimeout(Duration.ofMillis(500));
		BufferedWebSocketConnection connection = this.client.connect(this.server.uri("/hang-up"));
		long start = System.nanoTime();
		connection.close();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
		assertThatExceptionOfType(ConnectionClosedException.class).isThrownBy(connection::receive)
			.satisfies((ex) -> {
				assertThat(ex.getCode()).isEqualTo(1006);
				assertThat(ex.isCloseFrameReceived()).isFalse();
			});
	}

	/**
	 * A text message in 3 fragments with a ping between them, a 100 KiB binary message
	 * (more than the container's 8 KiB message buffer) and a 200 KiB text message are each
	 * received whole.
	 */
	@Test
	void whenMessagesAreFragmentedOrLargerThanTheContainerBufferThenEachIsReceivedWhole() throws Exception {
		byte[] binary = new byte[100 * 1024];
		for (int i = 0; i < binary.length; i++) {
			binary[i] = (byte) (i * 31);
		}
		String largeText = "é".repeat(100 * 1024);
		this.server = RawWebSocketServer.start((connection) -> {
			byte[] text = "héllo wörld".getBytes(StandardCharsets.UTF_8);
			connection.sendFrame(false, RawFrame.TEXT, java.util.Arrays.copyOfRange(text, 0, 2));
			connection.sendFrame(true, RawFrame.PING, new byte[0]);
			connection.sendFrame(false, RawFrame.CONTINUATION, java.util.Arrays.copyOfRange(text, 2, 8));
			connection.sendFrame(true, RawFrame.CONTINUATION, java.util.Arrays.copyOfRange(text, 8, text.length));
			connection.sendBinary(binary);
			connection.sendText(largeText);
			connection.sendClose(1000, "");
			connection.readUntilClose();
		});
		try (BufferedWebSocketConnection connection = this.client.connect(this.server.uri("/fragments"))) {
			assertThat(TestClients.text(connection.receive())).isEqualTo("héllo wörld");
			WebSocketMessage<?> second = connection.receive();
			assertThat(second).isInstanceOf(BinaryMessage.class);
			ByteBuffer payload = ((BinaryMessage) second).getPayload();
			byte[] bytes = new byte[payload.remaining()];
			payload.get(bytes);
			assertThat(bytes).isEqualTo(binary);
			assertThat(TestClients.text(connection.receive())).isEqualTo(largeText);
			assertThat(TestClients.drain(connection).closed().getCode()).isEqualTo(1000);
		}
	}

	@Test
	void whenAMessageIsLargerThanMaxBytesThenTheConnectionClosesWith1009AfterTheEarlierMessages() throws Exception {
		this.server = RawWebSocketServer.start((connection) -> {
			connection.sendText("small");
			connection.sendBinary(new byte[2048]);
			connection.flush();
			connection.readUntilClose();
		});
		this.client.setMaxBufferedBytes(DataSize.ofKilobytes(1));
		try (BufferedWebSocketConnection connection = this.client.connect(this.server.uri("/big"))) {
			Drained drained = TestClients.drain(connection);
			assertThat(drained.texts()).containsExactly("small");
			assertThat(drained.closed().getCode()).isEqualTo(1009);
			assertThat(drained.closed().getReason()).isEqualTo("Message larger than 1024 bytes");
		}
	}

	@Test
	void whenPeerClosesWith1000ThenTheMessageStreamEndsNormallyAfter5Messages() throws Exception {
		this.server = RawWebSocketServer.start((connection) -> {
			for (int i = 0; i < 5; i++) {
				connection.sendText(TestClients.message(i));
			}
			connection.sendClose(1000, "");
			connection.readUntilClose();
		});
		try (BufferedWebSocketConnection connection = this.client.connect(this.server.uri("/five"))) {
			assertThat(connection.messages().map(TestClients::text).toList())
				.containsExactlyElementsOf(IntStream.range(0, 5).mapToObj(TestClients::message).toList());
		}
	}

	@Test
	void whenConnectionEndsWithoutCloseFrameThenTheMessageStreamThrows1006After5Messages() throws Exception {
		this.server = RawWebSocketServer.start((connection) -> {
			for (int i = 0; i < 5; i++) {
				connection.sendText(TestClients.message(i));
			}
			connection.endWithoutCloseFrame();
		});
		List<String> seen = new ArrayList<>();
		try (BufferedWebSocketConnection connection = this.client.connect(this.server.uri("/five"))) {
			assertThatExceptionOfType(ConnectionClosedException.class)
				.isThrownBy(() -> connection.messages().map(TestClients::text).forEach(seen::add))
				.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(1006));
		}
		assertThat(seen).containsExactlyElementsOf(IntStream.range(0, 5).mapToObj(TestClients::message).toList());
	}

	@Test
	void whenSubProtocolsAreRequestedThenTheHandshakeCarriesThem() throws Exception {
		CompletableFuture<String> requested = new CompletableFuture<>();
		this.server = RawWebSocketServer.start((connection) -> {
			requested.complete(connection.requestHeaders().get("sec-websocket-protocol"));
			connection.sendClose(1000, "");
			connection.readUntilClose();
		});
		WebSocketHttpHeaders headers = new WebSocketHttpHeaders();
		headers.setSecWebSocketProtocol(List.of("v2.wsdrain", "v1.wsdrain"));
		try (BufferedWebSocketConnection connection = this.client.connect(this.server.uri("/protocols"), headers)) {
			assertThat(requested.get(5, TimeUnit.SECONDS)).isEqualTo("v2.wsdrain,v1.wsdrain");
			assertThat(connection.getSession().getAcceptedProtocol()).isEqualTo("v2.wsdrain");
		}
	}

	@Test
	void whenTheUriIsNotWebSocketThenConnectFailsNamingTheUri() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.client.connect(URI.create("http://localhost/x")))
			.withMessage("Invalid WebSocket URI 'http://localhost/x': the scheme must be ws or wss, was http");
		assertThatIllegalArgumentException().isThrownBy(() -> this.client.connect(URI.create("ws:///x")))
			.withMessage("Invalid WebSocket URI 'ws:///x': no host");
	}

	@Test
	void whenTheConnectionIsRefusedThenConnectFailsNamingTheUriAndTheCause() throws Exception {
		int port;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = socket.getLocalPort();
		}
		URI uri = URI.create("ws://127.0.0.1:" + port + "/x");
		assertThatExceptionOfType(WebSocketConnectException.class).isThrownBy(() -> this.client.connect(uri))
			.withMessageStartingWith("Could not connect to " + uri + ": ")
			.withMessageContaining("refused");
	}

	@Test
	void whenTheHandshakeIsRejectedThenConnectFailsWithTheHttpStatus() throws Exception {
		this.server = RawWebSocketServer.start((connection) -> {
		});
		URI uri = this.server.uri("/reject/404");
		assertThatExceptionOfType(WebSocketConnectException.class).isThrownBy(() -> this.client.connect(uri))
			.withMessageStartingWith("Could not connect to " + uri + ": ")
			.withMessageContaining("404");
	}

	@Test
	void whenTheServerNeverAnswersTheHandshakeThenConnectFailsAfter300MsConnectTimeout() throws Exception {
		try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
			URI uri = URI.create("ws://127.0.0.1:" + silent.getLocalPort() + "/x");
			this.client.setConnectTimeout(Duration.ofMillis(300));
			assertThatExceptionOfType(WebSocketConnectException.class).isThrownBy(() -> this.client.connect(uri))
				.withMessage("Could not connect to " + uri + ": no answer within 300 ms");
		}
	}

}

package io.github.wsdrain.session;

import io.github.wsdrain.server.DrainTestApplication;
import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.server.NonReadingClient;
import io.github.wsdrain.server.StuckWriter;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Draining sessions on a real server with real clients: how they are wired to endpoints,
 * what {@code sendMessage} does after a close, the drain timeout against a peer that
 * stops reading, and each overflow policy.
 */
@SpringBootTest(classes = DrainTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "wsdrain.server.excluded-paths=/raw/**")
@ExtendWith(OutputCaptureExtension.class)
abstract class DrainingSessionTests {

	private static final int CHUNK_BYTES = 64 * 1024;

	/**
	 * Bounds the wait for room and the stuck write alike: long enough for the test to fill
	 * the queue before the write watchdog ends the session.
	 */
	private static final Duration SEND_TIME_LIMIT = Duration.ofSeconds(1);

	@LocalServerPort
	private int port;

	@Autowired
	private DrainTestApplication application;

	@Autowired
	private DrainingSessionRegistry registry;

	private final ExecutorService senders = Executors.newCachedThreadPool();

	private DrainingSessionRegistry customRegistry;

	@AfterEach
	void shutDown() {
		this.senders.shutdownNow();
		if (this.customRegistry != null) {
			this.customRegistry.destroy();
		}
	}

	@Test
	void handlersThatAreBeansAndHandlersThatAreNotBothGetDrainingSessions() throws Exception {
		WebSocket bean = jdkClient("/drained/bean");
		assertThat(this.application.sessionCapture().next()).isInstanceOf(DrainingWebSocketSession.class);
		WebSocket notABean = jdkClient("/drained/plain-object");
		assertThat(this.application.notABean().next()).isInstanceOf(DrainingWebSocketSession.class);
		bean.abort();
		notABean.abort();
	}

	@Test
	void excludedPathsKeepTheContainersSession() throws Exception {
		WebSocket client = jdkClient("/raw/bean");
		assertThat(this.application.sessionCapture().next()).isNotInstanceOf(DrainingWebSocketSession.class);
		client.abort();
	}

	@Test
	void whenSessionIsClosingThenSendMessageThrowsAndNamesTheSession() throws Exception {
		WebSocket client = jdkClient("/drained/bean");
		DrainingWebSocketSession session = (DrainingWebSocketSession) this.application.sessionCapture().next();
		session.sendMessage(new TextMessage("before"));
		CompletableFuture<CloseResult> closed = session.closeAsync(CloseStatus.NORMAL);
		assertThat(session.isOpen()).isFalse();
		assertThatExceptionOfType(SessionClosingException.class)
			.isThrownBy(() -> session.sendMessage(new TextMessage("after")))
			.withMessageContaining(session.getId())
			.withMessageContaining("clos");
		CloseResult result = closed.get(10, TimeUnit.SECONDS);
		assertThat(result.status()).isEqualTo(CloseStatus.NORMAL);
		assertThat(result.dropped()).isZero();
		assertThat(session.getSentMessages()).isEqualTo(1);
		client.abort();
	}

	@Test
	void whenPeerStopsReadingThenCloseReturnsAtOnceAndTheDrainGivesUpAtTheTimeout(CapturedOutput output)
			throws Exception {
		DrainSettings settings = new DrainSettings(DataSize.ofMegabytes(64), Duration.ofSeconds(10),
				SendOverflowPolicy.BLOCK, Duration.ofMillis(500));
		try (NonReadingClient client = NonReadingClient.connect(this.port, "/raw/bean")) {
			DrainingWebSocketSession session = customSession(settings);
			Future<?> stuck = StuckWriter.start(this.senders, session);
			int queued = 100;
			for (int i = 0; i < queued; i++) {
				session.sendMessage(new BinaryMessage(new byte[CHUNK_BYTES]));
			}
			CompletableFuture<CloseResult> closed = session.closeAsync(CloseStatus.NORMAL);
			assertThat(closed).as("close() returns while the drain is still waiting on the peer").isNotDone();

			CloseResult result = closed.get(20, TimeUnit.SECONDS);
			assertThat(result.drainTimedOut()).isTrue();
			assertThat(result.dropped()).isEqualTo(queued);
			assertThat(result.status().getCode()).as("a 1000 would claim nothing was missed").isEqualTo(1011);
			assertThat(output).contains("drain timed out after", queued + " dropped");
			await().atMost(Duration.ofSeconds(60)).until(() -> stuck.isDone() && !session.getDelegate().isOpen());
			assertThat(session.getDroppedMessages()).as("the queue, and the 48 MB message cut off mid-write")
				.isEqualTo(queued + 1);
		}
	}

	@Test
	void blockPolicyWaitsForRoomThenRefusesAndClosesWith1011() throws Exception {
		DrainingWebSocketSession session = fillUntilOverflow(SendOverflowPolicy.BLOCK, (refusal) -> {
			assertThat(refusal).isInstanceOf(SendBufferFullException.class)
				.hasMessageContaining("no room within the send time limit of 1000 ms");
		});
		assertThat(session.getState()).isNotEqualTo(SessionState.OPEN);
		assertThat(session.getCloseFuture().get(10, TimeUnit.SECONDS).status().getCode()).isEqualTo(1011);
	}

	@Test
	void terminatePolicyRefusesAtOnceAndDropsWhatWasQueued() throws Exception {
		DrainingWebSocketSession session = fillUntilOverflow(SendOverflowPolicy.TERMINATE, (refusal) -> {
			assertThat(refusal).isInstanceOf(SendBufferFullException.class).hasMessageContaining("send buffer full");
		});
		assertThat(session.getState()).isNotEqualTo(SessionState.OPEN);
		assertThat(session.getDroppedMessages()).as("the four queued, and the 48 MB message cut off mid-write if the close ended it")
			.isBetween(4L, 5L);
		assertThat(session.getCloseFuture().get(10, TimeUnit.SECONDS).status().getCode()).isEqualTo(1011);
	}

	@Test
	void dropOldestPolicyNeverRefusesAndCountsEveryDrop(CapturedOutput output) throws Exception {
		DrainSettings settings = new DrainSettings(DataSize.ofKilobytes(256), SEND_TIME_LIMIT,
				SendOverflowPolicy.DROP_OLDEST, Duration.ofMillis(500));
		try (NonReadingClient client = NonReadingClient.connect(this.port, "/raw/bean")) {
			DrainingWebSocketSession session = customSession(settings);
			StuckWriter.start(this.senders, session);
			for (int i = 0; i < 10; i++) {
				session.sendMessage(new BinaryMessage(new byte[CHUNK_BYTES]));
			}
			assertThat(session.getQueuedMessages()).isEqualTo(4);
			assertThat(session.getDroppedMessages()).isEqualTo(6);
			assertThat(session.getAcceptedMessages()).isEqualTo(11);
			assertThat(output).contains("accepted message(s) dropped (overflow)");
		}
	}

	private DrainingWebSocketSession fillUntilOverflow(SendOverflowPolicy policy,
			java.util.function.Consumer<IOException> refusalCheck) throws Exception {
		DrainSettings settings = new DrainSettings(DataSize.ofKilobytes(256), SEND_TIME_LIMIT, policy,
				Duration.ofMillis(500));
		try (NonReadingClient client = NonReadingClient.connect(this.port, "/raw/bean")) {
			DrainingWebSocketSession session = customSession(settings);
			StuckWriter.start(this.senders, session);
			int accepted = 0;
			IOException refusal = null;
			while (refusal == null && accepted < 100) {
				try {
					session.sendMessage(new BinaryMessage(new byte[CHUNK_BYTES]));
					accepted++;
				}
				catch (IOException ex) {
					refusal = ex;
				}
			}
			assertThat(accepted).as("256 KB hold four 64 KB messages").isEqualTo(4);
			refusalCheck.accept(refusal);
			assertThatExceptionOfType(SessionClosingException.class)
				.isThrownBy(() -> session.sendMessage(new TextMessage("later")));
			return session;
		}
	}

	private DrainingWebSocketSession customSession(DrainSettings settings) throws InterruptedException {
		this.customRegistry = new DrainingSessionRegistry(settings, List.of());
		WebSocketSession raw = this.application.sessionCapture().next();
		assertThat(raw).isNotInstanceOf(DrainingWebSocketSession.class);
		return this.customRegistry.drainingSession(raw);
	}

	private WebSocket jdkClient(String path) throws Exception {
		return HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.buildAsync(URI.create("ws://localhost:" + this.port + path), new WebSocket.Listener() {
			})
			.get(10, TimeUnit.SECONDS);
	}

}

package io.github.wsdrain.server.stall;

import io.github.wsdrain.server.DrainTestApplication;
import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.server.NonReadingClient;
import io.github.wsdrain.server.StuckWriter;
import io.github.wsdrain.session.CloseResult;
import io.github.wsdrain.session.DrainSettings;
import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.session.SendOverflowPolicy;
import io.github.wsdrain.session.SessionState;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A peer that stops reading, with a 1 KB receive window, while the application writes
 * 48 MB to it: the send time limit (1 s here) bounds the write itself. The writing thread
 * returns within the limit and a margin of 4 s, the session reports 1011 with its losses
 * counted, and the server still serves a new client.
 */
@SpringBootTest(classes = DrainTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "wsdrain.server.excluded-paths=/raw/**")
@ExtendWith(OutputCaptureExtension.class)
abstract class StalledPeerTests {

	private static final Duration SEND_TIME_LIMIT = Duration.ofSeconds(1);

	/** Generous on a busy machine: the watchdog checks every 250 ms here. */
	private static final Duration MARGIN = Duration.ofSeconds(4);

	@LocalServerPort
	private int port;

	@Autowired
	private DrainTestApplication application;

	private final ExecutorService senders = Executors.newCachedThreadPool();

	private DrainingSessionRegistry registry;

	@AfterEach
	void shutDown() {
		this.senders.shutdownNow();
		if (this.registry != null) {
			this.registry.destroy();
		}
	}

	@Test
	void whenPeerStopsReadingThenTheWriterReturnsWithinTheSendTimeLimitAndTheSessionEndsWith1011(
			CapturedOutput output) throws Exception {
		try (NonReadingClient client = NonReadingClient.connect(this.port, "/raw/bean")) {
			DrainingWebSocketSession session = customSession();
			long started = System.nanoTime();
			Future<?> stuck = StuckWriter.start(this.senders, session);
			int queued = 3;
			for (int i = 0; i < queued; i++) {
				session.sendMessage(new TextMessage("queued behind the stuck write " + i));
			}
			assertThat(session.getWriteBytes()).as("the stuck write is visible").isEqualTo(48L * 1024 * 1024);
			await().atMost(SEND_TIME_LIMIT).until(session::isStuckInWrite);

			await().atMost(SEND_TIME_LIMIT.plus(MARGIN)).until(stuck::isDone);
			Duration held = Duration.ofNanos(System.nanoTime() - started);
			System.out.println("Stalled peer: writer held " + held.toMillis() + " ms (send time limit "
					+ SEND_TIME_LIMIT.toMillis() + " ms)");
			CloseResult result = session.getCloseFuture().get(5, TimeUnit.SECONDS);

			assertThat(held).as("the writer was held past the limit only by the watchdog's interval")
				.isGreaterThanOrEqualTo(SEND_TIME_LIMIT)
				.isLessThan(SEND_TIME_LIMIT.plus(MARGIN));
			assertThat(result.status().getCode()).isEqualTo(1011);
			assertThat(result.status().getReason()).isEqualTo("Send time limit exceeded");
			assertThat(session.getState()).isIn(SessionState.WRITE_TIMED_OUT, SessionState.CLOSED);
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(session.getDroppedMessages())
					.as("the three queued and the 48 MB message cut off mid-write")
					.isEqualTo(queued + 1));
			assertThat(this.registry.getWriteTimeouts()).isEqualTo(1);
			assertThat(output).contains("past the send time limit of 1000 ms; closing with 1011");
			await().atMost(Duration.ofSeconds(10)).until(() -> !session.getDelegate().isOpen());
		}
		assertTheServerStillServes();
	}

	@Test
	void whenADrainWaitsOnAStuckWriteThenTheCloseEndsWithinTheSendTimeLimit() throws Exception {
		try (NonReadingClient client = NonReadingClient.connect(this.port, "/raw/bean")) {
			DrainingWebSocketSession session = customSession();
			Future<?> stuck = StuckWriter.start(this.senders, session);
			CompletableFuture<CloseResult> closed = session.closeAsync(CloseStatus.NORMAL);
			CloseResult result = closed.get(SEND_TIME_LIMIT.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS);
			assertThat(result.status().getCode()).isEqualTo(1011);
			assertThat(result.drainTimedOut()).as("the write limit (1 s) ends it before the drain timeout (30 s)")
				.isFalse();
			await().atMost(SEND_TIME_LIMIT.plus(MARGIN)).until(stuck::isDone);
		}
		assertTheServerStillServes();
	}

	private DrainingWebSocketSession customSession() throws InterruptedException {
		DrainSettings settings = new DrainSettings(DataSize.ofMegabytes(64), SEND_TIME_LIMIT, SendOverflowPolicy.BLOCK,
				Duration.ofSeconds(30));
		this.registry = new DrainingSessionRegistry(settings, List.of());
		WebSocketSession raw = this.application.sessionCapture().next();
		assertThat(raw).isNotInstanceOf(DrainingWebSocketSession.class);
		return this.registry.drainingSession(raw);
	}

	private void assertTheServerStillServes() throws Exception {
		CompletableFuture<String> received = new CompletableFuture<>();
		WebSocket client = HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.buildAsync(URI.create("ws://localhost:" + this.port + "/drained/bean"), new WebSocket.Listener() {

				@Override
				public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
					received.complete(data.toString());
					return null;
				}

			})
			.get(10, TimeUnit.SECONDS);
		WebSocketSession session = this.application.sessionCapture().next();
		session.sendMessage(new TextMessage("still serving"));
		assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo("still serving");
		client.abort();
	}

}

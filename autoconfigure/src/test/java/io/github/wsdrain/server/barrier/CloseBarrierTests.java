package io.github.wsdrain.server.barrier;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.metrics.WsDrainServerMetrics;
import io.github.wsdrain.session.BarrierOutcome;
import io.github.wsdrain.session.CloseResult;
import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.session.SessionState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The close barrier against a client with the bug of python {@code websockets} 14.0,
 * which discards the data frames it reads together with the close frame: the server sends
 * N messages from one thread and closes, 20 runs each of 1,000 and 10,000 messages, while
 * the client stops reading before the last {@value #TAIL} until the server has written
 * what it writes without the client. With the barrier, 0 of 40 runs lose a message;
 * without it, the same client loses messages read with the close frame in at least half
 * of the 40 runs, so the scenario is real.
 */
@SpringBootTest(classes = BarrierTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "wsdrain.server.excluded-paths=/raw/**", "wsdrain.server.close-barrier.timeout=1s" })
abstract class CloseBarrierTests {

	private static final int RUNS = 20;

	private static final int[] COUNTS = { 1_000, 10_000 };

	/** The messages the client reads only after the pause. */
	private static final int TAIL = 100;

	@LocalServerPort
	private int port;

	@Autowired
	private BarrierTestApplication.BurstHandler burstHandler;

	@Autowired
	private BarrierTestApplication.BurstHandler noBarrierBurstHandler;

	@Autowired
	private BarrierTestApplication.PongHandler pongHandler;

	@Autowired
	private WsDrainServerMetrics metrics;

	@Test
	void withTheBarrierAClientThatDropsWhatArrivesWithTheCloseFrameGetsAll20x1000And20x10000Messages()
			throws Exception {
		for (int count : COUNTS) {
			for (int run = 0; run < RUNS; run++) {
				try (SameReadCloseClient client = SameReadCloseClient.connect(this.port, "/burst?count=" + count,
						true)) {
					DrainingWebSocketSession session = this.burstHandler.next();
					// The queue is written; the close frame waits for the Pong.
					SameReadCloseClient.Received received = client.readUntilClose(bytesBeforeTail(count),
							() -> session.getState() == SessionState.CLOSING);
					CloseResult result = session.getCloseFuture().get(10, TimeUnit.SECONDS);
					assertThat(received.delivered()).as("run %d of %d messages: %s", run, count, received)
						.isEqualTo(count);
					assertThat(received.discarded()).isZero();
					assertThat(received.pings()).isOne();
					assertThat(received.closeCode()).isEqualTo(1000);
					assertThat(result.closeBarrier()).isEqualTo(BarrierOutcome.PASSED);
				}
			}
		}
	}

	@Test
	void withoutTheBarrierTheSameClientLosesMessages() throws Exception {
		int runsWithLoss = 0;
		long lost = 0;
		for (int count : COUNTS) {
			for (int run = 0; run < RUNS; run++) {
				try (SameReadCloseClient client = SameReadCloseClient.connect(this.port, "/raw/burst?count=" + count,
						true)) {
					DrainingWebSocketSession session = this.noBarrierBurstHandler.next();
					// The queue and the close frame are written.
					SameReadCloseClient.Received received = client.readUntilClose(bytesBeforeTail(count),
							() -> session.getCloseFuture().isDone());
					CloseResult result = session.getCloseFuture().get(10, TimeUnit.SECONDS);
					assertThat(received.pings()).isZero();
					assertThat(result.closeBarrier()).isEqualTo(BarrierOutcome.SKIPPED);
					assertThat(received.delivered() + received.discarded()).as("the server wrote every message")
						.isEqualTo(count);
					if (received.discarded() > 0) {
						runsWithLoss++;
						lost += received.discarded();
					}
				}
			}
		}
		System.out.println("Without the close barrier: " + runsWithLoss + " of " + (RUNS * COUNTS.length)
				+ " runs lost messages, " + lost + " in all");
		assertThat(runsWithLoss).as("runs that lost messages without the barrier").isGreaterThanOrEqualTo(RUNS);
	}

	/** The bytes of the frames before the tail: unmasked text frames with a 2-byte header. */
	private static long bytesBeforeTail(int count) {
		return (long) (count - TAIL) * (BarrierTestApplication.MESSAGE_BYTES + 2);
	}

	@Test
	void aClientThatNeverAnswersPingsIsClosedAtTheBoundAndTheResultSaysSo() throws Exception {
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		this.metrics.bindTo(meters);
		try (SameReadCloseClient client = SameReadCloseClient.connect(this.port, "/burst?count=100", false)) {
			SameReadCloseClient.Received received = client.readUntilClose();
			CloseResult result = this.burstHandler.next().getCloseFuture().get(10, TimeUnit.SECONDS);
			assertThat(received.pings()).isOne();
			assertThat(received.closeCode()).as("the close proceeds with the status asked for").isEqualTo(1000);
			assertThat(result.closeBarrier()).isEqualTo(BarrierOutcome.TIMED_OUT);
			assertThat(result.duration()).as("the 1 s bound").isGreaterThanOrEqualTo(Duration.ofMillis(900));
			assertThat(result.dropped()).isZero();
			assertThat(meters.get("wsdrain.close.barrier").tag("outcome", "timed-out").counter().count())
				.isEqualTo(1.0);
		}
	}

	@Test
	void aSessionThatSentNothingClosesWithoutAPingEvenToAClientThatNeverAnswersOne() throws Exception {
		try (SameReadCloseClient client = SameReadCloseClient.connect(this.port, "/burst?count=0", false)) {
			SameReadCloseClient.Received received = client.readUntilClose();
			CloseResult result = this.burstHandler.next().getCloseFuture().get(10, TimeUnit.SECONDS);
			assertThat(received.pings()).as("no message to lose, so no Ping").isZero();
			assertThat(received.closeCode()).isEqualTo(1000);
			assertThat(result.closeBarrier()).as("no wait for a Pong").isEqualTo(BarrierOutcome.SKIPPED);
		}
	}

	@Test
	void theApplicationsOwnPongsReachItAndTheBarriersPongDoesNot() throws Exception {
		CompletableFuture<Integer> closeCode = new CompletableFuture<>();
		WebSocket client = HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.buildAsync(URI.create("ws://localhost:" + this.port + "/pongs"), new WebSocket.Listener() {
				@Override
				public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
					closeCode.complete(statusCode);
					return null;
				}
			})
			.get(10, TimeUnit.SECONDS);
		DrainingWebSocketSession session = this.pongHandler.sessions.poll(10, TimeUnit.SECONDS);
		assertThat(session).isNotNull();
		session.sendMessage(new PingMessage(ByteBuffer.wrap("app".getBytes(StandardCharsets.UTF_8))));
		assertThat(this.pongHandler.pongs.poll(10, TimeUnit.SECONDS)).isEqualTo("app");

		CloseResult result = session.closeAsync(CloseStatus.NORMAL).get(10, TimeUnit.SECONDS);
		assertThat(result.closeBarrier()).isEqualTo(BarrierOutcome.PASSED);
		assertThat(closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
		assertThat(this.pongHandler.pongs).as("the barrier's Pong is not the application's").isEmpty();
		client.abort();
	}

}

package io.github.wsdrain.server.resume;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.github.wsdrain.server.ServerSelection;
import io.github.wsdrain.session.CloseResult;
import io.github.wsdrain.shutdown.DrainSummary;
import io.github.wsdrain.shutdown.GracefulWebSocketShutdown;
import io.github.wsdrain.testsupport.ResumeTestApplication.Recorder;
import io.github.wsdrain.testsupport.ResumeTestApplication;
import io.github.wsdrain.testsupport.WireClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.socket.CloseStatus;

import static io.github.wsdrain.testsupport.ResumeTestApplication.sendQuietly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The graceful shutdown of {@code wsdrain.v1} sessions on a real Tomcat: each is closed
 * through its {@link ResumableSession}, which waits for the client's acknowledgements
 * (here at most {@code ack-timeout=1s}) before the 1001, within
 * {@code wsdrain.server.shutdown.timeout} (here 5 s); sessions waiting for a resume are
 * ended too. Each test starts and stops its own application.
 */
class ResumableShutdownTests {

	private static final Duration ACK_TIMEOUT = Duration.ofSeconds(1);

	private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

	private static final int MESSAGES = 2_000;

	private static final String CLOSE_REASON = "Server shutting down";

	private ConfigurableApplicationContext context;

	private Recorder recorder;

	private int port;

	@AfterEach
	void closeContext() {
		if (this.context != null) {
			this.context.close();
		}
	}

	/**
	 * 2,000 messages sent right before {@code context.close()} to a client that
	 * acknowledges: it receives all 2,000, in order, before a 1001 close frame with the
	 * configured reason; the app's handler sees 1001 and the session's close result
	 * counts 0 unacknowledged.
	 */
	@Test
	void whenTheApplicationStopsThenAnAcknowledgingClientGetsEveryMessageThenGoingAwayWithNothingUnacknowledged()
			throws Exception {
		start(ACK_TIMEOUT, SHUTDOWN_TIMEOUT);
		WireClient client = ResumeTestApplication.client(this.port).connect();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		CompletableFuture<Integer> receivedAtClose = client.closeCode().thenApply((code) -> client.inbox().size());
		IntStream.range(0, MESSAGES).forEach((i) -> sendQuietly(session, "msg-" + i));

		this.context.close();

		assertThat(client.closeCode().get(10, TimeUnit.SECONDS)).isEqualTo(1001);
		assertThat(client.closeReason()).isEqualTo(CLOSE_REASON);
		assertThat(receivedAtClose.get(10, TimeUnit.SECONDS)).isEqualTo(MESSAGES);
		assertThat(client.inbox().payloads()).hasSize(MESSAGES)
			.startsWith("msg-0")
			.endsWith("msg-" + (MESSAGES - 1));
		assertThat(client.inbox().unexpected()).isEmpty();
		CloseResult result = session.getCloseFuture().get(10, TimeUnit.SECONDS);
		assertThat(result.status().getCode()).isEqualTo(1001);
		assertThat(result.unacknowledged()).isZero();
		assertThat(this.recorder.closeOf(session).status().getCode()).isEqualTo(1001);
	}

	/**
	 * 2,000 messages to a client that never acknowledges, then {@code context.close()}:
	 * the stop takes at least the 1 s ack timeout and less than the 5 s shutdown timeout;
	 * the client receives all 2,000 then 1001; the close result counts 2,000
	 * unacknowledged.
	 */
	@Test
	void whenTheClientNeverAcknowledgesThenTheStopWaitsForTheAckTimeoutThenGoingAwayCountingTheMessages()
			throws Exception {
		start(ACK_TIMEOUT, SHUTDOWN_TIMEOUT);
		WireClient client = ResumeTestApplication.client(this.port).neverAcknowledge().connect();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		IntStream.range(0, MESSAGES).forEach((i) -> sendQuietly(session, "msg-" + i));

		long started = System.nanoTime();
		this.context.close();
		Duration stop = Duration.ofNanos(System.nanoTime() - started);

		assertThat(stop).isGreaterThanOrEqualTo(ACK_TIMEOUT).isLessThan(SHUTDOWN_TIMEOUT);
		assertThat(client.closeCode().get(10, TimeUnit.SECONDS)).isEqualTo(1001);
		assertThat(client.inbox().size()).isEqualTo(MESSAGES);
		CloseResult result = session.getCloseFuture().get(10, TimeUnit.SECONDS);
		assertThat(result.status().getCode()).isEqualTo(1001);
		assertThat(result.unacknowledged()).isEqualTo(MESSAGES);
	}

	/**
	 * The same client that never acknowledges, drained at runtime ({@code drainAll}):
	 * the summary reports 1 session closed, none forced, 2,000 unacknowledged, after at
	 * least the 1 s ack timeout; the app's handler sees 1001 before the context closes.
	 */
	@Test
	void whenDrainedAtRuntimeThenTheSummaryCountsTheUnacknowledgedMessages() throws Exception {
		start(ACK_TIMEOUT, SHUTDOWN_TIMEOUT);
		WireClient client = ResumeTestApplication.client(this.port).neverAcknowledge().connect();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		IntStream.range(0, MESSAGES).forEach((i) -> sendQuietly(session, "msg-" + i));

		DrainSummary summary = drainAll();

		assertThat(summary.sessions()).isEqualTo(1);
		assertThat(summary.closed()).isEqualTo(1);
		assertThat(summary.forced()).isZero();
		assertThat(summary.dropped()).isZero();
		assertThat(summary.unacknowledged()).isEqualTo(MESSAGES);
		assertThat(summary.complete()).isFalse();
		assertThat(summary.duration()).isGreaterThanOrEqualTo(ACK_TIMEOUT).isLessThan(SHUTDOWN_TIMEOUT);
		assertThat(client.closeCode().get(10, TimeUnit.SECONDS)).isEqualTo(1001);
		assertThat(this.recorder.closeOf(session).status().getCode()).isEqualTo(1001);
	}

	/**
	 * A client that received 100 messages without acknowledging them, then lost its
	 * connection (TCP abort): the session waits for a resume; {@code drainAll} ends it
	 * after the 1 s ack timeout, the app's handler sees 1001, and the summary counts 1
	 * session and 100 unacknowledged.
	 */
	@Test
	void whenASuspendedSessionHasUnacknowledgedMessagesThenTheDrainEndsItAtTheAckTimeout() throws Exception {
		start(ACK_TIMEOUT, SHUTDOWN_TIMEOUT);
		WireClient client = ResumeTestApplication.client(this.port).neverAcknowledge().connect();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		IntStream.range(0, 100).forEach((i) -> sendQuietly(session, "msg-" + i));
		client.inbox().sizeReached(100).get(10, TimeUnit.SECONDS);
		client.abort();
		await().atMost(Duration.ofSeconds(10)).until(session::isDetached);

		DrainSummary summary = drainAll();

		assertThat(summary.sessions()).isEqualTo(1);
		assertThat(summary.closed()).isEqualTo(1);
		assertThat(summary.unacknowledged()).isEqualTo(100);
		assertThat(summary.duration()).isGreaterThanOrEqualTo(ACK_TIMEOUT).isLessThan(SHUTDOWN_TIMEOUT);
		assertThat(this.recorder.closeOf(session).status().getCode()).isEqualTo(1001);
		assertThat(session.getCloseFuture().get(10, TimeUnit.SECONDS).unacknowledged()).isEqualTo(100);
	}

	/**
	 * A client that acknowledged all 100 messages, then lost its connection: the drain
	 * ends its suspended session at once (in less than the 1 s ack timeout), the app's
	 * handler sees 1001, and the summary counts 1 session and 0 unacknowledged. A plain
	 * connection open alongside is drained as before: 2 sessions in all.
	 */
	@Test
	void whenASuspendedSessionHasNothingUnacknowledgedThenTheDrainEndsItAtOnce() throws Exception {
		start(ACK_TIMEOUT, SHUTDOWN_TIMEOUT);
		WireClient client = ResumeTestApplication.client(this.port).connect();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		IntStream.range(0, 100).forEach((i) -> sendQuietly(session, "msg-" + i));
		await().atMost(Duration.ofSeconds(10)).until(() -> session.getUnacknowledgedMessages() == 0);
		client.abort();
		await().atMost(Duration.ofSeconds(10)).until(session::isDetached);
		WireClient plain = ResumeTestApplication.client(this.port).plain().connect();
		this.recorder.nextSession();

		DrainSummary summary = drainAll();

		assertThat(summary.sessions()).isEqualTo(2);
		assertThat(summary.closed()).isEqualTo(2);
		assertThat(summary.unacknowledged()).isZero();
		assertThat(summary.complete()).isTrue();
		assertThat(summary.duration()).isLessThan(ACK_TIMEOUT);
		assertThat(this.recorder.closeOf(session).status().getCode()).isEqualTo(1001);
		assertThat(plain.closeCode().get(10, TimeUnit.SECONDS)).isEqualTo(1001);
	}

	/**
	 * A shutdown timeout of 1 s, shorter than an ack timeout of 3 s, and a client that
	 * never acknowledges 2,000 messages: {@code drainAll} ends at the 1 s timeout (in
	 * less than 3 s) with 1 session forced and 2,000 unacknowledged; the client gets
	 * 1001; the session, now waiting for a resume, ends for the app with 1001 at its ack
	 * timeout, counting 2,000 unacknowledged.
	 */
	@Test
	void whenTheShutdownTimeoutIsShorterThanTheAckTimeoutThenTheDrainEndsAtTheShutdownTimeout() throws Exception {
		Duration ackTimeout = Duration.ofSeconds(3);
		Duration shutdownTimeout = Duration.ofSeconds(1);
		start(ackTimeout, shutdownTimeout);
		WireClient client = ResumeTestApplication.client(this.port).neverAcknowledge().connect();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		IntStream.range(0, MESSAGES).forEach((i) -> sendQuietly(session, "msg-" + i));

		DrainSummary summary = drainAll();

		assertThat(summary.duration()).isGreaterThanOrEqualTo(shutdownTimeout).isLessThan(ackTimeout);
		assertThat(summary.sessions()).isEqualTo(1);
		assertThat(summary.forced()).isEqualTo(1);
		assertThat(summary.unacknowledged()).isEqualTo(MESSAGES);
		assertThat(client.closeCode().get(10, TimeUnit.SECONDS)).isEqualTo(1001);
		assertThat(client.inbox().size()).isEqualTo(MESSAGES);
		assertThat(this.recorder.closeOf(session).status().getCode()).isEqualTo(1001);
		CloseResult result = session.getCloseFuture().get(10, TimeUnit.SECONDS);
		assertThat(result.unacknowledged()).isEqualTo(MESSAGES);
		assertThat(result.duration()).isGreaterThanOrEqualTo(ackTimeout);
	}

	private void start(Duration ackTimeout, Duration shutdownTimeout) {
		this.context = new SpringApplicationBuilder(ResumeTestApplication.class)
			.properties(List
				.of("server.port=0", ServerSelection.TOMCAT,
						"wsdrain.server.ack-timeout=" + ackTimeout.toMillis() + "ms",
						"wsdrain.server.shutdown.timeout=" + shutdownTimeout.toMillis() + "ms")
				.toArray(String[]::new))
			.run();
		this.port = ((WebServerApplicationContext) this.context).getWebServer().getPort();
		this.recorder = this.context.getBean(Recorder.class);
	}

	private DrainSummary drainAll() throws Exception {
		GracefulWebSocketShutdown shutdown = this.context.getBean(GracefulWebSocketShutdown.class);
		return shutdown.drainAll(CloseStatus.GOING_AWAY).get(shutdown.getTimeout().toSeconds() + 5, TimeUnit.SECONDS);
	}

}

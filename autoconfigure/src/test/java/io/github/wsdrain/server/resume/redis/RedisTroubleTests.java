package io.github.wsdrain.server.resume.redis;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.github.wsdrain.client.ConnectionClosedException;
import io.github.wsdrain.server.ServerSelection;
import io.github.wsdrain.testsupport.ChaosProxy;
import io.github.wsdrain.testsupport.MultiNodeApplication;
import io.github.wsdrain.testsupport.MultiNodeApplication.Records;
import io.github.wsdrain.testsupport.RedisServer;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.handler.TextWebSocketHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Redis trouble with the Redis store, on a real {@code redis-server} that the test stops
 * and restarts (empty, as without persistence). Down mid-stream (a stream of 200,000
 * messages paced by a 16 KB replay window): the messages not recorded yet wait at most the
 * send time limit (3 s here), then the session ends with 1011 and the app's sender, waiting
 * for room, gets an exception; its client, after a prefix of the stream without a gap, is told
 * <em>not recovered</em> (or gets the 1011 if it came back before Redis did): detected,
 * never silent. Down at start-up:
 * the app starts, {@code wsdrain.v1} connections are closed with 1011 until Redis answers,
 * then work. Each failure is logged at WARN and counted.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisTroubleTests {

	private static final int MESSAGES = 5_000;

	/** Long enough to be under way whenever Redis stops: a 16 KB window paces it. */
	private static final int STREAM = 200_000;

	private static final Duration SEND_TIME_LIMIT = Duration.ofSeconds(3);

	@RegisterExtension
	static final RedisServer redis = new RedisServer();

	private final Records records = new Records();

	private ConfigurableApplicationContext node;

	@BeforeEach
	void flush() throws Exception {
		if (!redis.isRunning()) {
			redis.restart();
		}
		redis.command("FLUSHALL");
	}

	@AfterEach
	void stop() {
		if (this.node != null) {
			this.node.close();
		}
	}

	private ConfigurableApplicationContext node() {
		return node(MESSAGES);
	}

	private ConfigurableApplicationContext node(int messages, String... properties) {
		List<String> all = new ArrayList<>(List.of(ServerSelection.TOMCAT, "server.port=0", "spring.main.banner-mode=off",
				"wsdrain.server.resume.store=redis", redis.portProperty(), "wsdrain.server.resume.redis.node-id=a",
				"test.messages=" + messages, "wsdrain.server.send-time-limit=" + SEND_TIME_LIMIT.toMillis() + "ms"));
		all.addAll(List.of(properties));
		return MultiNodeApplication.start(this.records, all.toArray(String[]::new));
	}

	@Test
	void whenRedisStopsMidStreamThenTheSessionEndsWith1011WithinTheSendTimeLimitAndTheClientIsToldNotRecovered(
			CapturedOutput output) throws Exception {
		this.node = node(STREAM, "wsdrain.server.resume.buffer-size=16KB", "wsdrain.server.resume.max-buffer-size=16KB");
		try (ChaosProxy proxy = new ChaosProxy(MultiNodeApplication.port(this.node));
				ReliableClients clients = new ReliableClients(proxy.port(), 1, STREAM)) {
			clients.awaitEachTook(500, Duration.ofSeconds(60));
			long stoppedNanos = System.nanoTime();
			redis.stop();
			await().atMost(SEND_TIME_LIMIT.multipliedBy(4)).until(() -> this.records.closesWith(1011) == 1);
			Duration ended = Duration.ofNanos(System.nanoTime() - stoppedNanos);
			await().atMost(Duration.ofSeconds(10)).until(() -> !this.records.sendFailures.isEmpty());
			redis.restart();

			assertThat(ended).as("session ended").isLessThan(SEND_TIME_LIMIT.plusSeconds(5));
			CompletableFuture<List<String>> received = clients.received(0);
			await().atMost(Duration.ofSeconds(60)).until(received::isDone);
			// Not recovered, or 1011 if it came back before Redis did: either way the client knows.
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(received::get)
				.withRootCauseInstanceOf(ConnectionClosedException.class);
			List<String> taken = clients.takenSoFar(0);
			assertThat(taken).as("a prefix of the stream, without a gap")
				.containsExactlyElementsOf(IntStream.rangeClosed(1, taken.size()).mapToObj((i) -> "s-" + i).toList())
				.hasSizeGreaterThanOrEqualTo(500);
			assertThat(this.records.closesWith(1011)).isEqualTo(1);
			assertThat(this.node.getBean(RedisResumeStore.class).getFailures()).isPositive();
			assertThat(this.node.getBean(MeterRegistry.class).get("wsdrain.resume.store.failures").counter().count())
				.isPositive();
			assertThat(output).contains("WARN").contains("Redis resume store: failed to");
		}
	}

	@Test
	void whenRedisIsDownAtStartUpThenTheAppStartsAndRefusesResumableSessionsWith1011UntilItAnswers(
			CapturedOutput output) throws Exception {
		redis.stop();
		this.node = node();
		assertThat(this.node.isRunning()).isTrue();

		CloseStatus refused = connect().get(30, TimeUnit.SECONDS);
		assertThat(refused.getCode()).isEqualTo(1011);
		assertThat(refused.getReason()).isEqualTo("Resume store unavailable");
		assertThat(output).contains("WARN").contains("closed with 1011: Redis resume store: failed to open a session");

		redis.restart();
		try (ChaosProxy proxy = new ChaosProxy(MultiNodeApplication.port(this.node));
				ReliableClients clients = new ReliableClients(proxy.port(), 1, MESSAGES)) {
			assertThat(clients.received(0).get(120, TimeUnit.SECONDS))
				.containsExactlyElementsOf(IntStream.rangeClosed(1, MESSAGES).mapToObj((i) -> "s-" + i).toList());
		}
	}

	/** A {@code wsdrain.v1} handshake: the future completes with how the server closed the connection. */
	private CompletableFuture<CloseStatus> connect() throws Exception {
		CompletableFuture<CloseStatus> closed = new CompletableFuture<>();
		WebSocketHttpHeaders headers = new WebSocketHttpHeaders();
		headers.setSecWebSocketProtocol("wsdrain.v1");
		new StandardWebSocketClient().execute(new TextWebSocketHandler() {

			@Override
			public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
				closed.complete(status);
			}

		}, headers, URI.create("ws://localhost:" + MultiNodeApplication.port(this.node) + "/both?client=raw"))
			.get(30, TimeUnit.SECONDS);
		return closed;
	}

}

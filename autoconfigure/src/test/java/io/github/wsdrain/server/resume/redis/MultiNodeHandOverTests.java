package io.github.wsdrain.server.resume.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.github.wsdrain.server.resume.ResumableSession;
import io.github.wsdrain.server.resume.ResumeClaim;
import io.github.wsdrain.testsupport.ChaosProxy;
import io.github.wsdrain.testsupport.MultiNodeApplication;
import io.github.wsdrain.testsupport.RedisNodes;
import io.github.wsdrain.testsupport.RedisServer;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.handler.TextWebSocketHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rolling deploy: the node that owns 5 sessions is stopped gracefully mid-stream (each
 * client has taken a quarter of 5,000 messages) while the load balancer sends new
 * connections to the other node. The stopping node hands its {@code wsdrain.v1} sessions
 * over: every client resumes on the other node, with all 5,000 messages each way exactly
 * once and in order, no <em>not recovered</em>, no repeat; a plain WebSocket client on the
 * same node still gets its 1001.
 */
class MultiNodeHandOverTests {

	private static final int SESSIONS = 5;

	private static final int MESSAGES = 5_000;

	@RegisterExtension
	static final RedisServer redis = new RedisServer();

	/** Node a leaves, node b stays. */
	@RegisterExtension
	final RedisNodes nodes = new RedisNodes(redis, MESSAGES, Stream.concat(RedisNodes.PATIENT.stream(),
			// A small window paces the app's stream by its client: it is still sending at the hand-over.
			Stream.of("wsdrain.server.resume.buffer-size=16KB", "wsdrain.server.resume.max-buffer-size=16KB"))
		.toList());

	private ConfigurableApplicationContext leaving;

	private ConfigurableApplicationContext staying;

	private ChaosProxy proxy;

	@BeforeEach
	void start() throws Exception {
		this.leaving = this.nodes.a();
		this.staying = this.nodes.b();
		this.proxy = new ChaosProxy(MultiNodeApplication.port(this.leaving));
	}

	@AfterEach
	void stop() throws Exception {
		this.proxy.close();
	}

	@Test
	void whenTheOwnerStopsGracefullyMidStreamThenItsSessionsGoOnOnTheOtherNodeOnceInOrder() throws Exception {
		CompletableFuture<CloseStatus> plainClose = new CompletableFuture<>();
		new StandardWebSocketClient().execute(new TextWebSocketHandler() {

			@Override
			public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
				plainClose.complete(status);
			}

		}, "ws://localhost:" + MultiNodeApplication.port(this.leaving) + "/both?client=plain").get(30, TimeUnit.SECONDS);
		try (ReliableClients clients = new ReliableClients(this.proxy.port(), SESSIONS, MESSAGES)) {
			clients.awaitEachTook(MESSAGES / 4, Duration.ofSeconds(120));
			this.proxy.route(MultiNodeApplication.port(this.staying));
			this.leaving.close();

			List<String> fromServer = IntStream.rangeClosed(1, MESSAGES).mapToObj((i) -> "s-" + i).toList();
			List<String> fromClient = IntStream.rangeClosed(1, MESSAGES).mapToObj((i) -> "c-" + i).toList();
			for (int i = 0; i < SESSIONS; i++) {
				assertThat(clients.received(i).get(300, TimeUnit.SECONDS)).as("consumer of c" + i)
					.containsExactlyElementsOf(fromServer);
				assertThat(this.nodes.records().receivedFrom("c" + i)).as("apps of c" + i).containsExactlyElementsOf(fromClient);
			}
			assertThat(clients.notRecovered()).isZero();
			assertThat(this.nodes.records().movedIn).hasSize(SESSIONS)
				.allSatisfy((origin) -> assertThat(origin).extracting(ResumeClaim.SessionOrigin::node,
						ResumeClaim.SessionOrigin::handedOver, ResumeClaim.SessionOrigin::mayRepeat)
					.containsExactly("a", true, false));
			assertThat(this.nodes.records().closes).filteredOn(ResumableSession.HANDED_OVER::equals).hasSize(SESSIONS);
			assertThat(this.nodes.records().closesWith(1000)).isEqualTo(SESSIONS);
			assertThat(plainClose.get(30, TimeUnit.SECONDS).getCode()).isEqualTo(1001);
			assertThat(this.staying.getBean(MeterRegistry.class)
				.get("wsdrain.sessions.moved-in")
				.tag("may-repeat", "false")
				.counter()
				.count()).isEqualTo(SESSIONS);
			System.out.printf("hand-over: owner stopped after each client took %,d of %,d; %d sessions went on on the "
					+ "other node, %d resumes, 0 lost, 0 repeated, 0 not recovered%n", MESSAGES / 4, MESSAGES, SESSIONS,
					clients.resumes());
		}
	}

}

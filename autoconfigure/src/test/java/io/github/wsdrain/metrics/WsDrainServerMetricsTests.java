package io.github.wsdrain.metrics;

import io.github.wsdrain.server.DrainTestApplication;
import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.server.NonReadingClient;
import io.github.wsdrain.server.StuckWriter;
import io.github.wsdrain.server.ServerSelection;

import io.github.wsdrain.session.DrainSettings;
import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.session.SendOverflowPolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The metrics move as real sessions open, send, drain, drop and close (Tomcat).
 */
@SpringBootTest(classes = DrainTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "wsdrain.server.excluded-paths=/raw/**", ServerSelection.TOMCAT })
class WsDrainServerMetricsTests {

	@LocalServerPort
	private int port;

	@Autowired
	private DrainTestApplication application;

	@Autowired
	private WsDrainServerMetrics metrics;

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final ExecutorService senders = Executors.newCachedThreadPool();

	@BeforeEach
	void bind() {
		this.metrics.bindTo(this.meters);
	}

	@AfterEach
	void shutDown() {
		this.senders.shutdownNow();
	}

	@Test
	void sessionsSendsAndDrainsAreCounted() throws Exception {
		double sentBefore = this.meters.get("wsdrain.messages.sent").functionCounter().count();
		double bytesBefore = this.meters.get("wsdrain.bytes.sent").functionCounter().count();
		WebSocket client = HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.buildAsync(URI.create("ws://localhost:" + this.port + "/drained/bean"), new WebSocket.Listener() {
			})
			.get(10, TimeUnit.SECONDS);
		DrainingWebSocketSession session = (DrainingWebSocketSession) this.application.sessionCapture().next();
		assertThat(this.meters.get("wsdrain.sessions").tag("state", "open").gauge().value()).isEqualTo(1);

		for (int i = 0; i < 10; i++) {
			session.sendMessage(new TextMessage("x".repeat(100)));
		}
		// A loop of sends hands the writing to a wsdrain thread: the last ones are counted once written.
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(this.meters.get("wsdrain.messages.sent").functionCounter().count() - sentBefore).isEqualTo(10);
			assertThat(this.meters.get("wsdrain.bytes.sent").functionCounter().count() - bytesBefore).isEqualTo(1000);
			assertThat(this.meters.get("wsdrain.queued.messages").gauge().value()).isZero();
		});

		session.closeAsync(CloseStatus.NORMAL).get(10, TimeUnit.SECONDS);
		assertThat(this.meters.get("wsdrain.drain.duration").tag("outcome", "complete").timer().count())
			.isEqualTo(1);
		await().until(() -> this.meters.get("wsdrain.sessions").tag("state", "open").gauge().value() == 0);
		client.abort();
	}

	@Test
	void dropsAreCountedByReason() throws Exception {
		DrainSettings settings = new DrainSettings(DataSize.ofKilobytes(256), Duration.ofMillis(200),
				SendOverflowPolicy.DROP_OLDEST, Duration.ofMillis(500));
		DrainingSessionRegistry registry = new DrainingSessionRegistry(settings, List.of(this.metrics));
		try (NonReadingClient client = NonReadingClient.connect(this.port, "/raw/bean")) {
			DrainingWebSocketSession session = registry.drainingSession(this.application.sessionCapture().next());
			StuckWriter.start(this.senders, session);
			for (int i = 0; i < 10; i++) {
				session.sendMessage(new BinaryMessage(new byte[64 * 1024]));
			}
			assertThat(this.meters.get("wsdrain.messages.dropped").tag("reason", "overflow").counter().count())
				.isEqualTo(6);
		}
		finally {
			registry.destroy();
		}
	}

}

package io.github.wsdrain.client;

import java.net.URI;
import java.time.Duration;

import io.github.wsdrain.metrics.WsDrainClientMetrics;
import io.github.wsdrain.server.ServerSelection;
import io.github.wsdrain.server.resume.ResumableSession;
import io.github.wsdrain.testsupport.ChaosProxy;
import io.github.wsdrain.testsupport.ResumeTestApplication.Recorder;
import io.github.wsdrain.testsupport.ResumeTestApplication;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.socket.TextMessage;

import static io.github.wsdrain.testsupport.ResumeTestApplication.sendQuietly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code wsdrain.client.} meters of a reliable connection against a real Tomcat,
 * through a proxy that cuts the connection.
 */
@SpringBootTest(classes = ResumeTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { ServerSelection.TOMCAT, "wsdrain.server.resume.window=30s" })
class ReliableClientMetricsTests {

	@LocalServerPort
	private int port;

	@Autowired
	private Recorder recorder;

	private ChaosProxy proxy;

	private final BufferedWebSocketClient client = new BufferedWebSocketClient();

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	@BeforeEach
	void start() throws Exception {
		this.recorder.clear();
		this.proxy = new ChaosProxy(this.port);
		new WsDrainClientMetrics(this.client).bindTo(this.meters);
	}

	@AfterEach
	void stopProxy() throws Exception {
		this.proxy.close();
	}

	/**
	 * A cut, then a message after the resume: {@code wsdrain.client.reconnects} reads at
	 * least 1 with the connection open, and keeps it once the connection is closed.
	 */
	@Test
	void whenAReliableConnectionIsCutThenReconnectsCountItAndKeepItAfterTheClose() throws Exception {
		ReliableWebSocketConnection connection = this.client
			.connectReliable(URI.create("ws://localhost:" + this.proxy.port() + "/resume"), null);
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		assertThat(this.meters.get("wsdrain.client.connections").gauge().value()).isEqualTo(1);
		assertThat(counter("wsdrain.client.reconnects")).isZero();

		this.proxy.cut();
		await().atMost(Duration.ofSeconds(30)).until(() -> counter("wsdrain.client.reconnects") >= 1);
		sendQuietly(session, "after the cut");
		assertThat(((TextMessage) connection.receive()).getPayload()).isEqualTo("after the cut");
		assertThat(counter("wsdrain.client.reconnects")).isEqualTo(connection.getReconnects());

		connection.close();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.meters.get("wsdrain.client.connections").gauge().value() == 0);
		assertThat(counter("wsdrain.client.reconnects")).isGreaterThanOrEqualTo(1);
		assertThat(counter("wsdrain.client.duplicates")).isEqualTo(connection.getDuplicates());
	}

	private double counter(String name) {
		return this.meters.get(name).functionCounter().count();
	}

}

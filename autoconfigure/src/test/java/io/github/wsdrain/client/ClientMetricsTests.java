package io.github.wsdrain.client;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.metrics.WsDrainClientMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code wsdrain.client.} meters of {@link WsDrainClientMetrics} against a real
 * server: what they read while a consumer stalls and after an overflow.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientMetricsTests {

	private static final String PAYLOAD = "x".repeat(100);

	private RawWebSocketServer server;

	private final BufferedWebSocketClient client = TestClients.tomcat();

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	@BeforeEach
	void bindMetrics() {
		new WsDrainClientMetrics(this.client).bindTo(this.meters);
	}

	@AfterEach
	void stopServer() throws IOException {
		if (this.server != null) {
			assertThat(this.server.getFailures()).isEmpty();
			this.server.close();
		}
	}

	/**
	 * 5 messages of 100 bytes to a consumer that does not read: the gauges show 1
	 * connection, 5 messages and 500 bytes buffered; once taken and closed, all three
	 * read 0.
	 */
	@Test
	void whenConsumerStallsThenTheGaugesShowWhatIsBufferedAndFallToZeroOnceTakenAndClosed() throws Exception {
		this.server = RawWebSocketServer.start((connection) -> {
			for (int i = 0; i < 5; i++) {
				connection.sendText(PAYLOAD);
			}
			connection.flush();
			connection.readUntilClose();
			connection.sendClose(1000, "");
		});
		BufferedWebSocketConnection connection = this.client.connect(this.server.uri("/stalled"));
		await().atMost(Duration.ofSeconds(10)).until(() -> gauge("wsdrain.client.buffered.messages") == 5);
		assertThat(gauge("wsdrain.client.buffered.bytes")).isEqualTo(500);
		assertThat(gauge("wsdrain.client.connections")).isEqualTo(1);

		for (int i = 0; i < 5; i++) {
			assertThat(TestClients.text(connection.receive())).isEqualTo(PAYLOAD);
		}
		connection.close();

		assertThat(gauge("wsdrain.client.buffered.messages")).isZero();
		assertThat(gauge("wsdrain.client.buffered.bytes")).isZero();
		assertThat(gauge("wsdrain.client.connections")).isZero();
		assertThat(counter("wsdrain.client.messages.dropped")).isZero();
	}

	/**
	 * 100 messages into a 10-message buffer that drops the oldest, twice: 90 drops each;
	 * the counter keeps the first connection's 90 after it has ended and been retired.
	 */
	@Test
	void whenABufferOf10OverflowsWithDropOldestThenTheDropsAreCountedAndStayCountedAfterTheConnectionEnds()
			throws Exception {
		this.server = RawWebSocketServer.start((connection) -> {
			for (int i = 0; i < 100; i++) {
				connection.sendText(TestClients.message(i));
			}
			connection.sendClose(1000, "done");
			connection.readUntilClose();
		});
		this.client.setOverflowPolicy(ReceiveOverflowPolicy.DROP_OLDEST);
		this.client.setMaxBufferedMessages(10);

		overflowAndDrain();
		assertThat(counter("wsdrain.client.messages.dropped")).isEqualTo(90);
		assertThat(gauge("wsdrain.client.buffered.messages")).isZero();

		overflowAndDrain();
		assertThat(counter("wsdrain.client.messages.dropped")).isEqualTo(180);
		assertThat(this.client.getConnectionTotals().connections()).isZero();
	}

	private void overflowAndDrain() throws Exception {
		try (BufferedWebSocketConnection connection = this.client.connect(this.server.uri("/overflow"))) {
			// Nobody reads until the connection has ended: the buffer overflows.
			await().atMost(Duration.ofSeconds(10)).until(connection::isClosed);
			assertThat(gauge("wsdrain.client.buffered.messages")).isEqualTo(10);
			assertThat(TestClients.drain(connection).texts()).hasSize(10);
		}
	}

	private double gauge(String name) {
		return this.meters.get(name).gauge().value();
	}

	private double counter(String name) {
		return this.meters.get(name).functionCounter().count();
	}

}

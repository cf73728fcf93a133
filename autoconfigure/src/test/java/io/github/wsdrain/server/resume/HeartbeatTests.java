package io.github.wsdrain.server.resume;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.protocol.FrameCodec;
import io.github.wsdrain.server.ServerSelection;
import io.github.wsdrain.testsupport.ResumeTestApplication;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server's heartbeat: a quiet {@code wsdrain.v1} connection hears its last
 * acknowledgement again after {@code wsdrain.server.resume.heartbeat} (200 ms here) of
 * silence, and never sooner.
 */
@SpringBootTest(classes = ResumeTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { ServerSelection.TOMCAT, "wsdrain.server.resume.heartbeat=200ms" })
class HeartbeatTests {

	@LocalServerPort
	private int port;

	@Test
	void aQuietConnectionHearsTheLastAcknowledgementAgainAfterEachHeartbeat() throws Exception {
		List<String> frames = new CopyOnWriteArrayList<>();
		List<Long> arrivals = new CopyOnWriteArrayList<>();
		WebSocket webSocket = HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.subprotocols(FrameCodec.PROTOCOL)
			.buildAsync(URI.create("ws://localhost:" + this.port + "/resume"), new WebSocket.Listener() {
				@Override
				public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
					frames.add(data.toString());
					arrivals.add(System.nanoTime());
					ws.request(1);
					return null;
				}
			})
			.get(10, TimeUnit.SECONDS);
		// The confirmation; then the client stays quiet, and so does the app.
		webSocket.sendText("a:0", true).get(5, TimeUnit.SECONDS);

		await().atMost(Duration.ofSeconds(10)).until(() -> frames.size() >= 5);

		List<String> first = List.copyOf(frames).subList(0, 5);
		List<Long> times = List.copyOf(arrivals);
		assertThat(first.get(0)).startsWith("s:n:");
		// Nothing received from the client yet: the last acknowledgement is a:0, repeated.
		assertThat(first.subList(1, 5)).containsOnly("a:0");
		// Only after a silence: three more heartbeats take about three heartbeats (600 ms),
		// well over 400 ms even when one arrival is late.
		assertThat(Duration.ofNanos(times.get(4) - times.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(400));
		webSocket.sendClose(1000, "").get(5, TimeUnit.SECONDS);
	}

}

package io.github.wsdrain.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.wsdrain.testsupport.RawWebSocketClient;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample app left running in front of hostile clients (Tomcat, real sockets): query
 * parameters past their caps close with 1008 and the reason, four clients that stop
 * reading hold at most the 64 shared senders (a fifth burst is refused with 1013 instead
 * of adding threads), and the drain switch answers only with the bearer token, from the
 * same origin.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { ServerSelection.TOMCAT, "wsdrain.sample.drain.allow-loopback=false",
				"wsdrain.sample.drain.token=" + SampleHardeningTests.TOKEN })
class SampleHardeningTests {

	static final String TOKEN = "test-token";

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private SampleSenders senders;

	@Test
	void whenParametersPassTheirCapsThenTheConnectionClosesWith1008AndTheReasonAndTheServerStillServes()
			throws Exception {
		List<List<String>> cases = List.of(List.of("/demo/burst?size=2147483647", "size must be at most 1048576"),
				List.of("/plain/burst?size=100000000", "size must be at most 1048576"),
				List.of("/demo/burst?count=1000001", "count must be at most 1000000"),
				List.of("/demo/burst?threads=17", "threads must be between 1 and 16"),
				List.of("/demo/stream?size=1048577", "size must be at most 1048576"),
				List.of("/demo/stream?interval=60001", "interval must be at most 60000"),
				List.of("/demo/feed?count=1000001", "count must be at most 1000000"));
		for (List<String> invalid : cases) {
			ReceivedStream stream = TestClients.JDK.connect(ws(invalid.get(0)));
			ReceivedStream.Ending ending = stream.awaitEnding(WAIT);
			assertThat(stream.messages()).as(invalid.get(0)).isEmpty();
			assertThat(ending).as(invalid.get(0)).isEqualTo(new ReceivedStream.Ending(1008, invalid.get(1), true));
		}
		ReceivedStream healthy = TestClients.JDK.connect(ws("/demo/burst?count=10&threads=1"));
		assertThat(healthy.awaitEnding(WAIT).code()).isEqualTo(1000);
		assertThat(healthy.indexes()).hasSize(10);
	}

	/**
	 * Four bursts of 16 threads to clients that never read: the 64 senders are all
	 * waiting, the next burst is refused with 1013, no more sender threads exist; once the
	 * stalled clients are gone the senders are free and bursts run again.
	 */
	@Test
	void whenStalledClientsHoldEverySenderThenANewBurstIsRefusedWith1013AndNoThreadIsAdded() throws Exception {
		List<RawWebSocketClient> stalled = new ArrayList<>();
		try {
			for (int i = 0; i < 4; i++) {
				stalled.add(stall("/demo/burst?count=1000000&size=65536&threads=16"));
			}
			await().atMost(WAIT).until(() -> this.senders.busy() == SampleSenders.MAX_THREADS);

			ReceivedStream refused = TestClients.JDK.connect(ws("/demo/burst?count=10&threads=1"));

			assertThat(refused.awaitEnding(WAIT))
				.isEqualTo(new ReceivedStream.Ending(1013, "No free sender, try again later", true));
			assertThat(this.senders.threads()).isLessThanOrEqualTo(SampleSenders.MAX_THREADS);
		}
		finally {
			for (RawWebSocketClient client : stalled) {
				client.close();
			}
		}
		await().atMost(WAIT).until(() -> this.senders.busy() == 0);
		ReceivedStream again = TestClients.JDK.connect(ws("/demo/burst?count=10&threads=1"));
		assertThat(again.awaitEnding(WAIT).code()).isEqualTo(1000);
	}

	@Test
	void whenTheDrainSwitchIsCalledWithoutTheTokenThenItIsRefusedAndNothingDrains() throws Exception {
		assertThat(post("{\"draining\":true}", null, null).statusCode()).isEqualTo(403);
		assertThat(post("{\"draining\":true}", "Bearer wrong", null).statusCode()).isEqualTo(403);
		assertThat(get("/actuator/wsdrain", null).statusCode()).isEqualTo(403);
		assertThat(get("/actuator/health", null).statusCode()).isEqualTo(200);

		ReceivedStream stillAccepted = TestClients.JDK.connect(ws("/demo/burst?count=10&threads=1"));
		assertThat(stillAccepted.awaitEnding(WAIT).code()).isEqualTo(1000);
	}

	@Test
	void whenTheDrainSwitchIsCalledWithTheTokenFromTheSameOriginThenItDrains() throws Exception {
		String origin = "http://localhost:" + this.port;
		assertThat(post("{\"draining\":true}", "Bearer " + TOKEN, "http://evil.example").statusCode())
			.isEqualTo(403);
		assertThat(get("/actuator/wsdrain", "Bearer " + TOKEN).statusCode()).isEqualTo(200);

		HttpResponse<String> drained = post("{\"draining\":true}", "Bearer " + TOKEN, origin);
		assertThat(drained.statusCode()).isEqualTo(200);
		assertThat(get("/actuator/wsdrain", "Bearer " + TOKEN).body()).contains("\"draining\":true");
		assertThat(post("{\"draining\":false}", "Bearer " + TOKEN, origin).statusCode()).isEqualTo(204);
		assertThat(get("/actuator/wsdrain", "Bearer " + TOKEN).body()).contains("\"draining\":false");
	}

	private HttpResponse<String> post(String body, String authorization, String origin) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(http("/actuator/wsdrain"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body));
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		if (origin != null) {
			request.header("Origin", origin);
		}
		return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> get(String path, String authorization) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(http(path));
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** A client that completes the handshake and never reads, with a 4 KB receive window. */
	private RawWebSocketClient stall(String pathAndQuery) throws IOException {
		return RawWebSocketClient.connect(this.port, pathAndQuery, 4096);
	}

	private URI ws(String pathAndQuery) {
		return URI.create("ws://localhost:" + this.port + pathAndQuery);
	}

	private URI http(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

}

package io.github.wsdrain.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.server.ServerSelection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.TextWebSocketHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The {@code wsdrain} endpoint over HTTP on a real server (Tomcat), with write access
 * granted: it lists the open sessions, and its switch drains real clients (each gets a
 * close frame with 1001) and refuses handshakes until it is switched back.
 */
@SpringBootTest(classes = WsDrainEndpointTests.EchoApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=wsdrain",
				"management.endpoint.wsdrain.access=unrestricted", ServerSelection.TOMCAT })
class WsDrainEndpointTests {

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private DrainingSessionRegistry registry;

	private final List<ClosingClient> clients = new ArrayList<>();

	@AfterEach
	void leaveDrainingModeAndDisconnect() throws Exception {
		post("{\"draining\":false}");
		this.clients.forEach((client) -> client.webSocket.abort());
	}

	@Test
	void listsOpenSessionsWithTheirQueues() throws Exception {
		connect();
		connect();
		await().until(() -> this.registry.getSessions().size() == 2);
		String body = get();
		assertThat(body).contains("\"draining\":false", "\"sessions\":2", "\"path\":\"/echo\"", "\"state\":\"open\"",
				"\"queuedMessages\":0");
	}

	@Test
	void drainingClosesEverySessionWith1001AndRefusesHandshakesUntilSwitchedBack() throws Exception {
		for (int i = 0; i < 3; i++) {
			connect();
		}
		HttpResponse<String> drained = post("{\"draining\":true}");
		assertThat(drained.statusCode()).isEqualTo(200);
		assertThat(drained.body()).contains("\"sessions\":3", "\"closed\":3", "\"dropped\":0");
		for (ClosingClient client : this.clients) {
			assertThat(client.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1001);
		}
		assertThat(get()).contains("\"draining\":true");
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(this::connect)
			.withStackTraceContaining("status code 503");

		post("{\"draining\":false}");
		assertThat(connect().webSocket.isOutputClosed()).isFalse();
	}

	private ClosingClient connect() throws Exception {
		ClosingClient client = new ClosingClient();
		client.webSocket = HTTP.newWebSocketBuilder()
			.buildAsync(URI.create("ws://localhost:" + this.port + "/echo"), client)
			.get(10, TimeUnit.SECONDS);
		this.clients.add(client);
		return client;
	}

	private String get() throws Exception {
		HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(endpoint()).GET().build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

	private HttpResponse<String> post(String json) throws Exception {
		return HTTP.send(HttpRequest.newBuilder(endpoint())
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI endpoint() {
		return URI.create("http://localhost:" + this.port + "/actuator/wsdrain");
	}

	private static final class ClosingClient implements WebSocket.Listener {

		private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

		private WebSocket webSocket;

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			this.closeCode.complete(statusCode);
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			this.closeCode.complete(1006);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableWebSocket
	static class EchoApplication implements WebSocketConfigurer {

		@Override
		public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
			registry.addHandler(new TextWebSocketHandler(), "/echo");
		}

	}

}

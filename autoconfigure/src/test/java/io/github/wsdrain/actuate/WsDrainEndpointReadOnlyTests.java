package io.github.wsdrain.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.github.wsdrain.server.ServerSelection;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exposing the {@code wsdrain} endpoint does not expose its switch: draining needs
 * {@code management.endpoint.wsdrain.access=unrestricted}.
 */
@SpringBootTest(classes = WsDrainEndpointTests.EchoApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=wsdrain", ServerSelection.TOMCAT })
class WsDrainEndpointReadOnlyTests {

	@LocalServerPort
	private int port;

	@Test
	void readsButDoesNotDrainByDefault() throws Exception {
		HttpClient http = HttpClient.newHttpClient();
		URI endpoint = URI.create("http://localhost:" + this.port + "/actuator/wsdrain");
		assertThat(http.send(HttpRequest.newBuilder(endpoint).GET().build(), HttpResponse.BodyHandlers.ofString())
			.statusCode()).isEqualTo(200);
		HttpResponse<String> drain = http.send(HttpRequest.newBuilder(endpoint)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"draining\":true}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(drain.statusCode()).isBetween(400, 499);
		assertThat(http.send(HttpRequest.newBuilder(endpoint).GET().build(), HttpResponse.BodyHandlers.ofString())
			.body()).contains("\"draining\":false");
	}

}

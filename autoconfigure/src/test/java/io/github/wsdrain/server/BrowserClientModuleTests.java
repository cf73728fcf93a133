package io.github.wsdrain.server;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The browser client, {@code /wsdrain/wsdrain.js}: under 6 KB gzipped, and served by
 * every servlet app with the starter, with a cache header.
 */
@SpringBootTest(classes = DrainTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = ServerSelection.TOMCAT)
class BrowserClientModuleTests {

	private static final String MODULE = "META-INF/resources/wsdrain/wsdrain.js";

	private static final int MAX_GZIP_BYTES = 6 * 1024;

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Test
	void theModuleIsUnderSixKilobytesGzipped() throws Exception {
		byte[] source;
		try (InputStream in = getClass().getClassLoader().getResourceAsStream(MODULE)) {
			assertThat(in).as(MODULE).isNotNull();
			source = in.readAllBytes();
		}
		ByteArrayOutputStream compressed = new ByteArrayOutputStream();
		try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
			gzip.write(source);
		}
		System.out.println("wsdrain.js: " + source.length + " bytes, " + compressed.size() + " bytes gzipped");
		assertThat(compressed.size()).isLessThan(MAX_GZIP_BYTES);
	}

	@Test
	void theModuleIsServedAsJavaScriptWithACacheHeader() throws Exception {
		HttpResponse<String> response = get("/wsdrain/wsdrain.js");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("text/javascript"));
		assertThat(response.headers().firstValue("Cache-Control")).hasValue("max-age=3600, must-revalidate, public");
		assertThat(response.headers().firstValue("Last-Modified")).isPresent();
		assertThat(response.body()).contains("export class ReliableWebSocket extends EventTarget");
	}

	@Test
	void theTypesAreServedBesideIt() throws Exception {
		HttpResponse<String> response = get("/wsdrain/wsdrain.d.ts");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("export declare class ReliableWebSocket extends EventTarget");
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).build(),
				HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
	}

}

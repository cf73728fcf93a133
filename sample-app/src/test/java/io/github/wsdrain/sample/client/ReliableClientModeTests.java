package io.github.wsdrain.sample.client;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.IntStream;

import io.github.wsdrain.sample.SampleApplication;
import io.github.wsdrain.server.ServerSelection;
import io.github.wsdrain.testsupport.ChaosProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's client mode with {@code wsdrain.sample.client.reliable=true} against the
 * sample's own {@code /demo/feed}: the JSON line counts reconnects, resumes and
 * duplicates, and the indexes file shows every message once, in order.
 */
@SpringBootTest(classes = SampleApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = ServerSelection.TOMCAT)
class ReliableClientModeTests {

	@LocalServerPort
	private int port;

	@TempDir
	Path temp;

	/** 5,000 messages, no fault: nothing to resume, 1000 after the last acknowledgement. */
	@Test
	void whenNothingFailsThenEveryMessageArrivesAndNoReconnectIsCounted() throws Exception {
		Path indexes = this.temp.resolve("indexes.txt");
		String stdout = runClient("ws://localhost:" + this.port + "/demo/feed?count=5000&size=64", indexes);

		assertThat(stdout).matches("\\{\"received\":5000,\"closeCode\":1000,\"closeReason\":\"\",\"closeFrameReceived\":true,"
				+ "\"elapsedMs\":\\d+,\"reconnects\":0,\"resumed\":0,\"duplicates\":0}\\R");
		assertThat(Files.readAllLines(indexes)).containsExactlyElementsOf(indexes(5000));
	}

	/**
	 * 20,000 messages at 10,000 a second through a proxy that cuts every connection 200 to
	 * 600 ms after it opened: several resumes, all 20,000 once and in order, then 1000.
	 */
	@Test
	void whenTheConnectionIsCutRepeatedlyThenEveryMessageArrivesOnceInOrderAndTheResumesAreCounted() throws Exception {
		try (ChaosProxy proxy = new ChaosProxy(this.port)) {
			proxy.cutEachAfter(Duration.ofMillis(200), Duration.ofMillis(600));
			Path indexes = this.temp.resolve("cut.txt");
			String stdout = runClient("ws://localhost:" + proxy.port() + "/demo/feed?count=20000&size=64&rate=10000",
					indexes);

			assertThat(stdout).matches("\\{\"received\":20000,\"closeCode\":1000,\"closeReason\":\"\","
					+ "\"closeFrameReceived\":true,\"elapsedMs\":\\d+,\"reconnects\":[1-9]\\d*,\"resumed\":[1-9]\\d*,"
					+ "\"duplicates\":\\d+}\\R");
			assertThat(Files.readAllLines(indexes)).containsExactlyElementsOf(indexes(20_000));
		}
	}

	private String runClient(String url, Path indexes) {
		ByteArrayOutputStream stdout = new ByteArrayOutputStream();
		int exitCode = SampleClientMode.run(new SpringApplication(SampleApplication.class),
				new String[] { "--wsdrain.sample.client.url=" + url, "--wsdrain.sample.client.reliable=true",
						"--wsdrain.sample.client.indexes-file=" + indexes },
				new PrintStream(stdout, true, StandardCharsets.UTF_8));
		assertThat(exitCode).isZero();
		return stdout.toString(StandardCharsets.UTF_8);
	}

	private static java.util.List<String> indexes(int count) {
		return IntStream.range(0, count).mapToObj(String::valueOf).toList();
	}

}

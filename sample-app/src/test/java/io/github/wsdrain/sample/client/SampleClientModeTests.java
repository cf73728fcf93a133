package io.github.wsdrain.sample.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import io.github.wsdrain.client.RawWebSocketServer;
import io.github.wsdrain.sample.SampleApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app's client mode against an in-test server: the JSON line on stdout, the
 * indexes file, the exit codes.
 */
@ExtendWith(OutputCaptureExtension.class)
class SampleClientModeTests {

	private static final String JSON = "\\{\"received\":%d,\"closeCode\":%d,\"closeReason\":\"%s\","
			+ "\"closeFrameReceived\":%s,\"elapsedMs\":\\d+,\"reconnects\":0,\"resumed\":0,\"duplicates\":0}";

	private RawWebSocketServer server;

	@TempDir
	Path temp;

	@AfterEach
	void stopServer() throws IOException {
		if (this.server != null) {
			assertThat(this.server.getFailures()).isEmpty();
			this.server.close();
		}
	}

	/**
	 * 10,000 messages then a close frame: stdout holds exactly one JSON line with 10,000
	 * received and 1000, and the indexes file lists 0 to 9,999 in order.
	 */
	@Test
	void when10000MessagesThenCloseFrameThenStdoutIsOneJsonLineAndTheIndexesFileLists0To9999() throws Exception {
		this.server = RawWebSocketServer.start((connection) -> {
			for (int i = 0; i < 10_000; i++) {
				connection.sendText(i + "|payload \"" + i + "\"");
			}
			connection.sendClose(1000, "done \"now\"");
			connection.readUntilClose();
		});
		Path indexes = this.temp.resolve("indexes.txt");
		ByteArrayOutputStream stdout = new ByteArrayOutputStream();
		int exitCode = run(stdout, "--wsdrain.sample.client.url=" + this.server.uri("/burst"),
				"--wsdrain.sample.client.indexes-file=" + indexes);
		assertThat(exitCode).isZero();
		assertThat(stdout.toString(StandardCharsets.UTF_8))
			.matches(String.format(JSON, 10_000, 1000, "done \\\\\"now\\\\\"", true) + "\\R");
		assertThat(Files.readAllLines(indexes))
			.containsExactlyElementsOf(IntStream.range(0, 10_000).mapToObj(String::valueOf).toList());
	}

	/**
	 * A slow consumer (1 ms per message, a 4-message buffer that blocks) and a server
	 * that ends the TCP connection without close frame after 300 messages: all 300
	 * received, then 1006 without close frame.
	 */
	@Test
	void whenASlowConsumerReads300MessagesEndedWithoutCloseFrameThenAll300AreCountedAnd1006() throws Exception {
		this.server = RawWebSocketServer.start((connection) -> {
			for (int i = 0; i < 300; i++) {
				connection.sendText(String.valueOf(i));
			}
			connection.endWithoutCloseFrame();
		});
		Path indexes = this.temp.resolve("slow.txt");
		ByteArrayOutputStream stdout = new ByteArrayOutputStream();
		int exitCode = run(stdout, "--wsdrain.sample.client.url=" + this.server.uri("/eof"),
				"--wsdrain.sample.client.indexes-file=" + indexes, "--wsdrain.sample.client.consume-delay=1ms",
				"--wsdrain.client.buffer.max-messages=4");
		assertThat(exitCode).isZero();
		assertThat(stdout.toString(StandardCharsets.UTF_8)).matches(String.format(JSON, 300, 1006, ".*", false) + "\\R");
		List<String> lines = Files.readAllLines(indexes);
		assertThat(lines).containsExactlyElementsOf(IntStream.range(0, 300).mapToObj(String::valueOf).toList());
	}

	@Test
	void whenTheServerRefusesTheConnectionThenExitCodeIs1WithTheReasonOnStderrAndNothingOnStdout(
			CapturedOutput output) throws Exception {
		int port;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = socket.getLocalPort();
		}
		ByteArrayOutputStream stdout = new ByteArrayOutputStream();
		int exitCode = run(stdout, "--wsdrain.sample.client.url=ws://127.0.0.1:" + port + "/x");
		assertThat(exitCode).isEqualTo(1);
		assertThat(stdout.toString(StandardCharsets.UTF_8)).isEmpty();
		assertThat(output.getErr())
			.contains("wsdrain sample client: Could not connect to ws://127.0.0.1:" + port + "/x: ");
	}

	@Test
	void whenNotInClientModeThenTheRunnerIsAbsent() {
		new ApplicationContextRunner().withUserConfiguration(SampleClientConfiguration.class)
			.run((context) -> assertThat(context).doesNotHaveBean(SampleClientRunner.class));
	}

	private static int run(ByteArrayOutputStream stdout, String... args) {
		return SampleClientMode.run(new SpringApplication(SampleApplication.class), args,
				new PrintStream(stdout, true, StandardCharsets.UTF_8));
	}

}

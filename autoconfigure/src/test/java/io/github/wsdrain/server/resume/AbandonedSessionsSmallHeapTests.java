package io.github.wsdrain.server.resume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.testsupport.ResumeTestApplication;
import io.github.wsdrain.testsupport.ResumeTestApplication.Recorder;
import io.github.wsdrain.testsupport.WireClient;
import org.junit.jupiter.api.Test;

import static io.github.wsdrain.server.resume.HostilePeers.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * 300 clients each leave 512 KB unacknowledged and vanish, 150 MB in all, at a server
 * whose heap is 96 MB (its own JVM, Tomcat, default limits: detached sessions may hold a
 * quarter of the heap): the server never runs out of memory, and serves a new client
 * afterwards. Without the limits the sessions would hold all 150 MB.
 */
class AbandonedSessionsSmallHeapTests {

	private static final int SESSIONS = 300;

	private static final int BYTES = 512 * 1024;

	@Test
	void threeHundredAbandonedSessionsOfHalfAMegabyteLeaveANinetySixMegabyteServerServing() throws Exception {
		Path log = Files.createTempFile("wsdrain-small-heap-", ".log");
		Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx96m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
				HostileServerMain.class.getName())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		try {
			int port = await().atMost(Duration.ofMinutes(2))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> portIn(log), Optional::isPresent)
				.get();
			for (int i = 0; i < SESSIONS; i++) {
				WireClient client = ResumeTestApplication.client(port).neverAcknowledge().connect();
				client.token();
				client.send(Recorder.FILL + BYTES);
				client.inbox().sizeReached(1).get(WAIT.toSeconds(), TimeUnit.SECONDS);
				client.abort();
				assertThat(server.isAlive()).as("server alive after %d sessions", i).isTrue();
			}

			WireClient fresh = ResumeTestApplication.client(port).connect();
			fresh.token();
			fresh.send(Recorder.FILL + 10);
			fresh.inbox().sizeReached(1).get(WAIT.toSeconds(), TimeUnit.SECONDS);
			fresh.close();
			assertThat(server.isAlive()).isTrue();
			assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError").contains("detached sessions over the limit");
		}
		finally {
			server.destroy();
			if (!server.waitFor(10, TimeUnit.SECONDS)) {
				server.destroyForcibly();
			}
			Files.deleteIfExists(log);
		}
	}

	private static Optional<Integer> portIn(Path log) throws IOException {
		return Files.readAllLines(log)
			.stream()
			.filter((line) -> line.startsWith(HostileServerMain.PORT_LINE))
			.map((line) -> Integer.parseInt(line.substring(HostileServerMain.PORT_LINE.length()).trim()))
			.findFirst();
	}

}

package io.github.wsdrain.sample;

import java.net.URI;
import java.time.Duration;
import java.util.stream.IntStream;

import io.github.wsdrain.testsupport.WireClient;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /demo/feed} with {@code wsdrain.server.resume.ack-timeout=1s} and a {@code wsdrain.v1}
 * client that never acknowledges.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = "wsdrain.server.resume.ack-timeout=1s")
abstract class FeedAckTimeoutScenarioTests {

	/** 1,000 messages of 64 characters, 70 KB with their headers: they fit in the replay buffer. */
	private static final int COUNT = 1_000;

	private static final Duration ACK_TIMEOUT = Duration.ofSeconds(1);

	/** Below the send time limit and the drain timeout (10 s): the close is not waiting for those. */
	private static final Duration LATEST_CLOSE_AFTER_LAST_MESSAGE = Duration.ofSeconds(8);

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	@LocalServerPort
	private int port;

	/**
	 * 3 repetitions: all 1,000 indexes arrive in order each time, then a close frame with
	 * 1000, at least 1 s (the ack timeout) after the connection opened and less than 8 s
	 * after the last message.
	 */
	@Test
	void whenTheClientNeverAcknowledgesThenTheNormalCloseComesAfterTheAckTimeout() throws Exception {
		for (int repetition = 0; repetition < 3; repetition++) {
			long start = System.nanoTime();
			ReceivedStream stream = new ReceivedStream();
			WireClient client = stream.connectWire(
					WireClient.to(URI.create("ws://localhost:" + this.port + "/demo/feed?count=" + COUNT)).neverAcknowledge());
			ReceivedStream.Ending ending = stream.awaitEnding(TIMEOUT);
			String context = "repetition " + repetition + ", " + ending;

			assertThat(client.inbox().unexpected()).as(context).isEmpty();
			assertThat(client.inbox().duplicates()).as(context).isZero();
			assertThat(stream.indexes()).as(context)
				.containsExactlyElementsOf(IntStream.range(0, COUNT).boxed().toList());
			assertThat(ending.code()).as(context).isEqualTo(1000);
			assertThat(ending.closeFrameReceived()).as(context).isTrue();
			assertThat(client.acknowledgedAtClose()).as(context).isEqualTo(-1);
			assertThat(Duration.ofNanos(client.closeNanos() - start)).as(context).isGreaterThanOrEqualTo(ACK_TIMEOUT);
			assertThat(client.closeAfterLastMessage()).as(context).isLessThan(LATEST_CLOSE_AFTER_LAST_MESSAGE);
		}
	}

}

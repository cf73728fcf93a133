package io.github.wsdrain.sample;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The burst scenario of BASELINE.md §1 against the sample app: 4 threads × 2,500
 * messages of 1,024 characters, the first thread done closes the session.
 * <p>
 * Under {@code /demo/burst}, 20 repetitions (alternating the JDK's and Spring's client)
 * prove: every message the application handed over arrives exactly once, each block in
 * increasing order, then a close frame with 1000; every send that did not get in was
 * refused with an exception and counted (none silently lost). Under {@code /plain/burst},
 * Spring's decorator accepts all 10,000 sends and the clients receive fewer.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
abstract class BurstScenarioTests {

	private static final int COUNT = 10_000;

	private static final int THREADS = 4;

	private static final int SIZE = 1024;

	private static final int REPETITIONS = 20;

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final Duration PLAIN_CLOSE_WAIT = Duration.ofSeconds(10);

	@LocalServerPort
	private int port;

	@Autowired
	@Qualifier("demoBurstHandler")
	private BurstHandler demoBurstHandler;

	@Autowired
	@Qualifier("plainBurstHandler")
	private BurstHandler plainBurstHandler;

	@Test
	void whenFirstOfFourThreadsClosesThenEveryAcceptedMessageArrivesInOrderBeforeTheCloseFrame() throws Exception {
		BurstParameters parameters = new BurstParameters(COUNT, SIZE, THREADS);
		long delivered = 0;
		for (int repetition = 0; repetition < REPETITIONS; repetition++) {
			TestClients client = TestClients.values()[repetition % 2];
			ReceivedStream stream = client.connect(burstUri("/demo/burst"));
			ReceivedStream.Ending ending = stream.awaitEnding(TIMEOUT);
			BurstHandler.Outcome outcome = this.demoBurstHandler.takeOutcome();
			List<Integer> indexes = stream.indexes();
			String context = client + " repetition " + repetition + ", " + outcome;

			assertThat(ending.code()).as(context).isEqualTo(1000);
			assertThat(ending.closeFrameReceived()).as(context).isTrue();
			assertThat(outcome.accepted() + outcome.refused()).as(context).isEqualTo(COUNT);
			assertThat(indexes).as(context).hasSize(outcome.accepted());
			assertThat(new HashSet<>(indexes)).as(context).hasSize(indexes.size());
			assertEachBlockArrivesAsAPrefixInIncreasingOrder(parameters, indexes, context);
			delivered += indexes.size();
		}
		assertThat(delivered).isPositive();
	}

	@Test
	void whenTheSameBurstRunsThroughSpringsDecoratorThenAcceptedMessagesAreLostSilently() throws Exception {
		int accepted = 0;
		int received = 0;
		for (int repetition = 0; repetition < 5; repetition++) {
			ReceivedStream stream = TestClients.JDK.connect(burstUri("/plain/burst"));
			BurstHandler.Outcome outcome = this.plainBurstHandler.takeOutcome();
			try {
				// A close racing a send can leave Tomcat's session without a close frame at all:
				// that run still counts what arrived.
				ReceivedStream.Ending ending = stream.awaitEnding(PLAIN_CLOSE_WAIT);
				assertThat(ending.code()).as("no error anywhere: a normal close").isEqualTo(1000);
			}
			catch (TimeoutException ex) {
				stream.abort();
			}
			accepted += outcome.accepted();
			received += stream.indexes().size();
		}
		assertThat(received).as("messages received of %d accepted", accepted).isLessThan(accepted);
	}

	private static void assertEachBlockArrivesAsAPrefixInIncreasingOrder(BurstParameters parameters,
			List<Integer> indexes, String context) {
		int[] next = new int[parameters.threads()];
		for (int k = 0; k < parameters.threads(); k++) {
			next[k] = parameters.blockStart(k);
		}
		for (int index : indexes) {
			int block = Math.min(index / (parameters.count() / parameters.threads()), parameters.threads() - 1);
			assertThat(index).as("%s: next index of block %d", context, block).isEqualTo(next[block]);
			next[block]++;
		}
	}

	private URI burstUri(String path) {
		return URI.create("ws://localhost:" + this.port + path + "?count=" + COUNT + "&size=" + SIZE + "&threads="
				+ THREADS);
	}

}

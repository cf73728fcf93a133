package io.github.wsdrain.sample;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import io.github.wsdrain.testsupport.WireClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /demo/feed} with the ack timeout raised to 30 s, so that a close that waited for
 * it would stand out. Each feed is 10,000 messages of 256 characters, 2.6 MB: more than
 * twice the 1 MB replay buffer, so a {@code wsdrain.v1} feed also waits for
 * acknowledgements on the way.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = "wsdrain.server.resume.ack-timeout=30s")
abstract class FeedScenarioTests {

	private static final int COUNT = 10_000;

	private static final int SIZE = 256;

	private static final int REPETITIONS = 5;

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	@LocalServerPort
	private int port;

	@Autowired
	private FeedHandler demoFeedHandler;

	@AfterEach
	void everyFeedEnded() {
		await().atMost(TIMEOUT).until(() -> this.demoFeedHandler.openFeeds() == 0);
	}

	/**
	 * 10,000 messages × 5 repetitions, each a fresh {@code wsdrain.v1} session
	 * acknowledging every 50 ms: 50,000 of 50,000 indexes arrive, each exactly once and in
	 * order with sequence numbers 1..10,000 without gap, then a close frame with 1000 that
	 * comes after the client acknowledged 10,000 and well before the 30 s ack timeout.
	 */
	@Test
	void whenAClientSpeaksWsdrainV1ThenEveryMessageArrivesOnceInOrderAndTheCloseFollowsItsLastAcknowledgement()
			throws Exception {
		for (int repetition = 0; repetition < REPETITIONS; repetition++) {
			ReceivedStream stream = new ReceivedStream();
			WireClient client = stream.connectWire(WireClient.to(feedUri("count=" + COUNT + "&size=" + SIZE)));
			ReceivedStream.Ending ending = stream.awaitEnding(TIMEOUT);
			String context = "repetition " + repetition + ", " + ending;

			assertThat(client.resumed()).as(context).isFalse();
			assertThat(client.inbox().unexpected()).as(context).isEmpty();
			assertThat(client.inbox().duplicates()).as(context).isZero();
			assertThat(stream.indexes()).as(context).containsExactlyElementsOf(allIndexes(COUNT));
			assertThat(stream.messages()).as(context).allMatch((text) -> text.length() == SIZE);
			assertThat(ending.code()).as(context).isEqualTo(1000);
			assertThat(ending.closeFrameReceived()).as(context).isTrue();
			assertThat(client.acknowledgedAtClose()).as(context).isEqualTo(COUNT);
			assertThat(client.closeAfterLastMessage()).as(context).isLessThan(Duration.ofSeconds(20));
		}
	}

	/**
	 * 10,000 messages × 3 repetitions, the client dropping its connection without a close
	 * frame after message 3,000 and resuming with its token: 30,000 of 30,000 indexes
	 * arrive, each exactly once and in order, the resumed connection starts with
	 * {@code s:r:}, then a close frame with 1000. The handler is not told of the drop: it
	 * keeps sending into the replay buffer, which the resumed connection replays.
	 */
	@Test
	void whenTheConnectionDropsMidFeedThenTheResumedSessionDeliversTheRestExactlyOnce() throws Exception {
		for (int repetition = 0; repetition < 3; repetition++) {
			URI uri = feedUri("count=" + COUNT + "&size=" + SIZE);
			ReceivedStream stream = new ReceivedStream();
			WireClient dropped = stream.connectWire(WireClient.to(uri).abortAfter(3_000));
			WireClient client = stream.resumeWire(dropped, WireClient.to(uri));
			ReceivedStream.Ending ending = stream.awaitEnding(TIMEOUT);
			String context = "repetition " + repetition + ", " + ending;

			assertThat(client.resumed()).as(context).isTrue();
			assertThat(client.inbox().unexpected()).as(context).isEmpty();
			assertThat(client.inbox().duplicates()).as(context).isZero();
			assertThat(stream.indexes()).as(context).containsExactlyElementsOf(allIndexes(COUNT));
			assertThat(ending.code()).as(context).isEqualTo(1000);
			assertThat(ending.closeFrameReceived()).as(context).isTrue();
		}
	}

	/**
	 * 10,000 messages × 4 repetitions alternating the JDK's and Spring's client, neither
	 * offering {@code wsdrain.v1}: 40,000 of 40,000 indexes arrive in order, then a close
	 * frame with 1000.
	 */
	@Test
	void whenAPlainClientConnectsThenEveryMessageArrivesInOrderBeforeANormalClose() throws Exception {
		for (int repetition = 0; repetition < 4; repetition++) {
			TestClients client = TestClients.values()[repetition % 2];
			ReceivedStream stream = client.connect(feedUri("count=" + COUNT + "&size=" + SIZE));
			ReceivedStream.Ending ending = stream.awaitEnding(TIMEOUT);
			String context = client + " repetition " + repetition + ", " + ending;

			assertThat(stream.indexes()).as(context).containsExactlyElementsOf(allIndexes(COUNT));
			assertThat(ending.code()).as(context).isEqualTo(1000);
			assertThat(ending.closeFrameReceived()).as(context).isTrue();
		}
	}

	/**
	 * 50 messages at 100 a second take at least the 490 ms between the first and the last,
	 * and still arrive complete.
	 */
	@Test
	void whenARateIsGivenThenTheFeedIsPacedToIt() throws Exception {
		long start = System.nanoTime();
		ReceivedStream stream = new ReceivedStream();
		WireClient client = stream.connectWire(WireClient.to(feedUri("count=50&rate=100")));
		ReceivedStream.Ending ending = stream.awaitEnding(TIMEOUT);

		assertThat(stream.indexes()).containsExactlyElementsOf(allIndexes(50));
		assertThat(ending.code()).isEqualTo(1000);
		assertThat(Duration.ofNanos(client.closeNanos() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(490));
	}

	/**
	 * Five bad queries, each from a plain client and from a {@code wsdrain.v1} client: no
	 * message, a close frame with 1008 and the reason.
	 */
	@Test
	void whenParametersAreInvalidThenTheConnectionClosesWith1008AndTheReason() throws Exception {
		List<List<String>> cases = List.of(List.of("count=0", "count must be positive"),
				List.of("count=ten", "count must be a whole number, not 'ten'"),
				List.of("size=15", "size must be at least 16"),
				List.of("rate=-1", "rate must be between 0 and 1000000"),
				List.of("rate=1000001", "rate must be between 0 and 1000000"));
		for (List<String> invalid : cases) {
			URI uri = feedUri(invalid.get(0));
			ReceivedStream plain = TestClients.JDK.connect(uri);
			ReceivedStream protocolStream = new ReceivedStream();
			WireClient protocol = protocolStream.connectWire(WireClient.to(uri));
			for (ReceivedStream stream : List.of(plain, protocolStream)) {
				ReceivedStream.Ending ending = stream.awaitEnding(TIMEOUT);
				assertThat(stream.messages()).as(invalid.get(0)).isEmpty();
				assertThat(ending).as(invalid.get(0)).isEqualTo(new ReceivedStream.Ending(1008, invalid.get(1), true));
			}
			assertThat(protocol.inbox().unexpected()).as(invalid.get(0)).isEmpty();
		}
	}

	private static List<Integer> allIndexes(int count) {
		return IntStream.range(0, count).boxed().toList();
	}

	private URI feedUri(String query) {
		return URI.create("ws://localhost:" + this.port + "/demo/feed?" + query);
	}

}

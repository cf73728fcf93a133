package io.github.wsdrain.server.resume.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.github.wsdrain.server.resume.ResumeClaim;
import io.github.wsdrain.server.resume.ResumeStore.ClaimRequest;
import io.github.wsdrain.server.resume.ResumeStore.SessionKey;
import io.github.wsdrain.server.resume.SessionJournal;
import io.github.wsdrain.server.resume.SessionLostException;
import io.github.wsdrain.server.resume.SessionMovedException;
import io.github.wsdrain.testsupport.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The Redis store on a real {@code redis-server}: two nodes (two stores) share it; a
 * session opened on one is claimed on the other with its unacknowledged frames, exactly
 * those, in order, also from the middle of a batch's entry and across entries of up to
 * 64 KiB; the old owner is fenced off and told; tokens are stored hashed.
 */
class RedisResumeStoreTests {

	@RegisterExtension
	static final RedisServer redis = new RedisServer();

	private LettuceConnectionFactory connections;

	private RedisResumeStore nodeA;

	private RedisResumeStore nodeB;

	@BeforeEach
	void start() throws Exception {
		this.connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", redis.port()));
		this.connections.afterPropertiesSet();
		this.connections.start();
		redis.command("FLUSHALL");
		this.nodeA = store("a");
		this.nodeB = store("b");
	}

	@AfterEach
	void stop() throws Exception {
		this.nodeA.destroy();
		this.nodeB.destroy();
		this.connections.destroy();
	}

	private RedisResumeStore store(String node) {
		RedisResumeStore store = new RedisResumeStore(this.connections, "test", node, Duration.ofMinutes(2));
		store.afterPropertiesSet();
		return store;
	}

	@Test
	void aSessionOpenedOnOneNodeIsClaimedOnAnotherWithTheFramesAfterLast() {
		SessionJournal journal = this.nodeA.open(new SessionKey("alice", "/resume"));
		journal.tokenIssued("token-1");
		journal.append(1, List.of(text("one"), new BinaryMessage(new byte[] { 1, 2, 3 }), text("three")));
		journal.append(4, List.of(text("four")));
		journal.delivered(7);
		journal.acknowledged(1);

		ResumeClaim claim = this.nodeB.claim(new ClaimRequest("token-1", "alice", "/resume", 2, null, 0));

		assertThat(claim).isInstanceOf(ResumeClaim.Claimed.class);
		ResumeClaim.Claimed claimed = (ResumeClaim.Claimed) claim;
		assertThat(claimed.lastSent()).isEqualTo(4);
		assertThat(claimed.delivered()).isEqualTo(7);
		assertThat(claimed.journal().epoch()).isEqualTo(2);
		assertThat(claimed.origin().node()).isEqualTo("a");
		assertThat(claimed.origin().sameNode()).isFalse();
		assertThat(claimed.origin().ownerAlive()).isTrue();
		assertThat(claimed.origin().mayRepeat()).isTrue();
		assertThat(claimed.replay()).extracting(RedisResumeStoreTests::payload).containsExactly("three", "four");
		assertThat(claimed.replay().get(0)).isInstanceOf(TextMessage.class);
	}

	@Test
	void aRunningPreviousOwnerReleasesWhatItDeliveredBeforeTheNewOwnerReadsIt() {
		SessionJournal journal = opened(this.nodeA, "t");
		journal.append(1, List.of(text("one")));
		journal.delivered(3);
		// Node A delivered 4 but had not recorded it when the move came.
		this.nodeA.onMovedAway((id, epoch) -> journal.released(4, 1));

		ResumeClaim.Claimed claimed = (ResumeClaim.Claimed) this.nodeB
			.claim(new ClaimRequest("t", null, "/resume", 0, null, 0));

		assertThat(claimed.delivered()).isEqualTo(4);
		assertThat(claimed.origin().released()).isTrue();
		assertThat(claimed.origin().mayRepeat()).isFalse();
	}

	@Test
	void aHandOverRecordsWhatWasDeliveredAndRepeatsNothing() {
		SessionJournal journal = opened(this.nodeA, "t");
		journal.handOver(6);

		ResumeClaim.Claimed claimed = (ResumeClaim.Claimed) this.nodeB
			.claim(new ClaimRequest("t", null, "/resume", 0, null, 0));

		assertThat(claimed.delivered()).isEqualTo(6);
		assertThat(claimed.origin().handedOver()).isTrue();
		assertThat(claimed.origin().mayRepeat()).isFalse();
	}

	@Test
	void binaryFramesKeepTheirTypeAndBytes() {
		SessionJournal journal = opened(this.nodeA, "t");
		byte[] bytes = new byte[256];
		for (int i = 0; i < bytes.length; i++) {
			bytes[i] = (byte) i;
		}
		journal.append(1, List.of(new BinaryMessage(bytes)));
		ResumeClaim.Claimed claimed = (ResumeClaim.Claimed) this.nodeB
			.claim(new ClaimRequest("t", null, "/resume", 0, null, 0));
		BinaryMessage replayed = (BinaryMessage) claimed.replay().get(0);
		ByteBuffer payload = replayed.getPayload();
		byte[] read = new byte[payload.remaining()];
		payload.get(read);
		assertThat(read).isEqualTo(bytes);
	}

	@Test
	void theOldOwnerIsFencedOffAndTold() throws Exception {
		BlockingQueue<String> moved = new LinkedBlockingQueue<>();
		this.nodeA.onMovedAway((id, epoch) -> moved.add(id + " " + epoch));
		SessionJournal journal = opened(this.nodeA, "t");
		journal.append(1, List.of(text("one")));

		this.nodeB.claim(new ClaimRequest("t", null, "/resume", 1, null, 0));

		assertThat(moved.poll(10, TimeUnit.SECONDS)).isEqualTo(journal.id() + " 2");
		assertThatExceptionOfType(SessionMovedException.class)
			.isThrownBy(() -> journal.append(2, List.of(text("two"))));
		assertThatExceptionOfType(SessionMovedException.class).isThrownBy(() -> journal.delivered(3));
		// The claim renamed the stream to the new epoch's name and trimmed "one", which the client
		// had: the old owner's append of "two" added nothing to either.
		assertThat(redis.command("EXISTS", stream(journal))).isEqualTo("0");
		assertThat(redis.command("EXISTS", "test:{" + journal.id() + "}:f:2")).isEqualTo("1");
		assertThat(redis.command("XLEN", "test:{" + journal.id() + "}:f:2")).isEqualTo("0");
	}

	@Test
	void forgedOtherUsersAndOtherEndpointsTokensFindNothingAndChangeNothing() throws Exception {
		SessionJournal journal = this.nodeA.open(new SessionKey("alice", "/resume"));
		journal.tokenIssued("t");
		journal.append(1, List.of(text("one")));

		assertThat(this.nodeB.claim(new ClaimRequest("forged", "alice", "/resume", 0, null, 0)))
			.isEqualTo(ResumeClaim.Unknown.INSTANCE);
		assertThat(this.nodeB.claim(new ClaimRequest("t", "mallory", "/resume", 0, null, 0)))
			.isEqualTo(ResumeClaim.Unknown.INSTANCE);
		assertThat(this.nodeB.claim(new ClaimRequest("t", null, "/resume", 0, null, 0)))
			.isEqualTo(ResumeClaim.Unknown.INSTANCE);
		assertThat(this.nodeB.claim(new ClaimRequest("t", "alice", "/other", 0, null, 0)))
			.isEqualTo(ResumeClaim.Unknown.INSTANCE);
		journal.append(2, List.of(text("two")));
		assertThat(redis.command("HGET", "test:{" + journal.id() + "}:s", "epoch")).isEqualTo("1");
	}

	@Test
	void aLastOutOfRangeIsRejectedAndChangesNothing() {
		SessionJournal journal = opened(this.nodeA, "t");
		journal.append(1, List.of(text("one"), text("two")));
		journal.acknowledged(1);

		assertThat(this.nodeB.claim(new ClaimRequest("t", null, "/resume", 0, null, 0)))
			.isInstanceOf(ResumeClaim.OutOfRange.class);
		assertThat(this.nodeB.claim(new ClaimRequest("t", null, "/resume", 3, null, 0)))
			.isInstanceOf(ResumeClaim.OutOfRange.class);
		journal.append(3, List.of(text("three")));
	}

	@Test
	void acknowledgementsTrimTheStream() throws Exception {
		SessionJournal journal = this.nodeA.open(new SessionKey(null, "/resume"));
		journal.append(1, List.of(text("1"), text("2"), text("3"), text("4")));
		journal.acknowledged(3);
		assertThat(redis.command("XLEN", stream(journal))).isEqualTo("1");
		journal.acknowledged(2);
		assertThat(redis.command("XLEN", stream(journal))).isEqualTo("1");
	}

	@Test
	void tokensAreStoredAsHashesOnly() throws Exception {
		SessionJournal journal = this.nodeA.open(new SessionKey(null, "/resume"));
		String token = "Q2hhbmdlTWUhQ2hhbmdlTWU";
		journal.tokenIssued(token);
		String dump = redis.command("EVAL",
				"local out = {} for _, k in ipairs(redis.call('KEYS', '*')) do table.insert(out, k) "
						+ "if redis.call('TYPE', k).ok == 'hash' then for _, f in ipairs(redis.call('HGETALL', k)) do "
						+ "table.insert(out, f) end elseif redis.call('TYPE', k).ok == 'string' then "
						+ "table.insert(out, redis.call('GET', k)) end end return table.concat(out, ' ')",
				"0");
		assertThat(dump).contains(journal.id()).doesNotContain(token);
	}

	@Test
	void aSessionThatEndedCompleteAnswersWithItsCloseStatusAndOneThatEndedOtherwiseIsForgotten() {
		SessionJournal complete = opened(this.nodeA, "done");
		complete.ended(CloseStatus.GOING_AWAY, true);
		SessionJournal failed = opened(this.nodeA, "failed");
		failed.ended(CloseStatus.SERVER_ERROR, false);

		assertThat(this.nodeB.claim(new ClaimRequest("done", null, "/resume", 0, null, 0)))
			.isEqualTo(new ResumeClaim.Complete(CloseStatus.GOING_AWAY));
		assertThat(this.nodeB.claim(new ClaimRequest("failed", null, "/resume", 0, null, 0)))
			.isEqualTo(ResumeClaim.Unknown.INSTANCE);
	}

	@Test
	void aResumeOnTheOwnerAtItsEpochReadsNothingBackAndKeepsTheEpoch() {
		SessionJournal journal = opened(this.nodeA, "t");
		journal.append(1, List.of(text("one")));
		ResumeClaim.Claimed claimed = (ResumeClaim.Claimed) this.nodeA
			.claim(new ClaimRequest("t", null, "/resume", 0, journal.id(), journal.epoch()));
		assertThat(claimed.stayed()).isTrue();
		assertThat(claimed.replay()).isEmpty();
		assertThat(claimed.journal().epoch()).isEqualTo(1);
		// A write the owner had in flight during its own resume is not fenced off.
		journal.append(2, List.of(text("two")));
	}

	@Test
	void aResumeOnTheOwnerWithAStaleCopyMovesTheEpochOnAndReadsEverythingBack() {
		SessionJournal journal = opened(this.nodeA, "t");
		journal.append(1, List.of(text("one"), text("two")));
		ResumeClaim.Claimed claimed = (ResumeClaim.Claimed) this.nodeA
			.claim(new ClaimRequest("t", null, "/resume", 0, null, 0));
		assertThat(claimed.stayed()).isFalse();
		assertThat(claimed.journal().epoch()).isEqualTo(2);
		assertThat(claimed.replay()).extracting(RedisResumeStoreTests::payload).containsExactly("one", "two");
		assertThatExceptionOfType(SessionMovedException.class)
			.isThrownBy(() -> journal.append(3, List.of(text("three"))));
	}

	@Test
	void aResumeFromTheMiddleOfABatchReplaysExactlyTheFramesAfterIt() throws Exception {
		SessionJournal journal = opened(this.nodeA, "t");
		journal.append(1, texts(1, 5));
		journal.append(6, List.of(text("6"), new BinaryMessage("7".getBytes(StandardCharsets.UTF_8)), text("8")));
		// One stream entry per batch, its ID <last>-<first>.
		assertThat(redis.command("XLEN", stream(journal))).isEqualTo("2");

		ResumeClaim.Claimed claimed = (ResumeClaim.Claimed) this.nodeB
			.claim(new ClaimRequest("t", null, "/resume", 3, null, 0));

		assertThat(claimed.replay()).extracting(RedisResumeStoreTests::payload)
			.containsExactly("4", "5", "6", "7", "8");
		assertThat(claimed.replay().get(3)).isInstanceOf(BinaryMessage.class);
		assertThat(claimed.replay().get(4)).isInstanceOf(TextMessage.class);
		// The claim trimmed below 4: the first batch's entry holds 4 and 5, so it stays.
		assertThat(redis.command("XLEN", stream(claimed.journal()))).isEqualTo("2");
	}

	@Test
	void anAcknowledgementInTheMiddleOfABatchKeepsItsEntry() throws Exception {
		SessionJournal journal = opened(this.nodeA, "t");
		journal.append(1, texts(1, 5));
		journal.append(6, texts(6, 7));
		journal.acknowledged(3);
		assertThat(redis.command("XLEN", stream(journal))).isEqualTo("2");
		journal.acknowledged(5);
		assertThat(redis.command("XLEN", stream(journal))).isEqualTo("1");

		ResumeClaim.Claimed claimed = (ResumeClaim.Claimed) this.nodeB
			.claim(new ClaimRequest("t", null, "/resume", 6, null, 0));

		assertThat(claimed.replay()).extracting(RedisResumeStoreTests::payload).containsExactly("7");
	}

	@Test
	void aBatchSentAgainAddsOnlyTheEntriesRedisLacksAndIsReadBackOnce() throws Exception {
		SessionJournal journal = opened(this.nodeA, "t");
		journal.append(1, texts(1, 2));
		journal.append(3, texts(3, 3));
		// Its reply was lost: Lettuce resends the same call after a reconnect, the writer retries
		// the batch with what was numbered since.
		journal.append(3, texts(3, 3));
		journal.append(3, texts(3, 5));

		// 2-1, 3-3, then 5-3: the repeat of 3-3 is refused by its ID.
		assertThat(redis.command("XLEN", stream(journal))).isEqualTo("3");
		ResumeClaim.Claimed claimed = (ResumeClaim.Claimed) this.nodeB
			.claim(new ClaimRequest("t", null, "/resume", 0, null, 0));
		assertThat(claimed.lastSent()).isEqualTo(5);
		assertThat(claimed.replay()).extracting(RedisResumeStoreTests::payload)
			.containsExactly("1", "2", "3", "4", "5");
	}

	@Test
	void anAcknowledgementRidesInTheBatchsRoundTripAndIsRecordedEvenAfterRedisForgotItsScripts()
			throws Exception {
		SessionJournal journal = this.nodeA.open(new SessionKey(null, "/resume"));
		journal.append(1, texts(1, 2));
		journal.append(3, texts(3, 4), 2);
		assertThat(redis.command("XLEN", stream(journal))).isEqualTo("1");
		assertThat(redis.command("HGET", "test:{" + journal.id() + "}:s", "acked")).isEqualTo("2");

		redis.command("SCRIPT", "FLUSH");
		journal.append(5, texts(5, 6), 4);

		assertThat(redis.command("XLEN", stream(journal))).isEqualTo("1");
		assertThat(redis.command("HGET", "test:{" + journal.id() + "}:s", "acked")).isEqualTo("4");
	}

	@Test
	void aStreamLostByRedisEndsTheSessionAndLeavesNothingToResume() throws Exception {
		SessionJournal journal = opened(this.nodeA, "t");
		journal.append(1, texts(1, 2));
		redis.command("DEL", stream(journal));

		assertThatExceptionOfType(SessionLostException.class).isThrownBy(() -> journal.append(3, texts(3, 3)))
			.withMessageContaining("gone from Redis");
		assertThat(this.nodeB.claim(new ClaimRequest("t", null, "/resume", 2, null, 0)))
			.isEqualTo(ResumeClaim.Unknown.INSTANCE);
	}

	@Test
	void framesRedisLostMakeTheResumeThatNeedsThemNotRecoveredAndLeaveOneThatNeedsOnlyLaterFramesRecovered() {
		SessionJournal journal = opened(this.nodeA, "t");
		journal.append(1, texts(1, 2));
		// Frame 3 was recorded and lost by Redis (a failover, say): the next batch is recorded all the same.
		journal.append(4, texts(4, 5));

		assertThat(this.nodeB.claim(new ClaimRequest("t", null, "/resume", 2, null, 0)))
			.isEqualTo(ResumeClaim.Unknown.INSTANCE);
		assertThat(this.nodeB.claim(new ClaimRequest("t", null, "/resume", 2, null, 0)))
			.isEqualTo(ResumeClaim.Unknown.INSTANCE);

		// That attempt was stale: the client's newer connection had frame 3 before Redis lost it.
		ResumeClaim claim = this.nodeB.claim(new ClaimRequest("t", null, "/resume", 3, null, 0));
		assertThat(claim).isInstanceOf(ResumeClaim.Claimed.class);
		assertThat(((ResumeClaim.Claimed) claim).replay()).extracting(RedisResumeStoreTests::payload)
			.containsExactly("4", "5");
	}

	@Test
	void newestFramesRedisLostAreFoundByTheReleaseOfTheRunningPreviousOwnerAndTheResumeIsNotRecovered()
			throws Exception {
		SessionJournal journal = opened(this.nodeA, "t");
		journal.append(1, texts(1, 2));
		journal.append(3, texts(3, 5));
		// Redis lost the newest entry (a failover, say): nothing follows it to show the gap.
		redis.command("XDEL", stream(journal), "5-3");
		this.nodeA.onMovedAway((id, epoch) -> journal.released(0, 5));

		assertThat(this.nodeB.claim(new ClaimRequest("t", null, "/resume", 2, null, 0)))
			.isEqualTo(ResumeClaim.Unknown.INSTANCE);
	}

	@Test
	void theRecordOfASessionWhoseStreamRedisLostIsRefreshedNoMoreAndExpires() throws Exception {
		RedisResumeStore shortWindow = new RedisResumeStore(this.connections, "test", "c", Duration.ofSeconds(1));
		shortWindow.afterPropertiesSet();
		try {
			SessionJournal journal = opened(shortWindow, "t");
			journal.append(1, texts(1, 2));
			redis.command("DEL", stream(journal));
			assertThatExceptionOfType(SessionLostException.class).isThrownBy(() -> journal.append(3, texts(3, 3)));

			// Refreshed four times a window, it would never expire.
			await().atMost(Duration.ofSeconds(10))
				.until(() -> "0".equals(redis.command("EXISTS", "test:{" + journal.id() + "}:s",
						"test:t:" + RedisKeys.tokenHash("t"))));
		}
		finally {
			shortWindow.destroy();
		}
	}

	@Test
	void aBatchOf150FramesOf1000BytesAndOneOf100000IsKeptInEntriesOfAt64KiBAndReadFromAnyOfThem()
			throws Exception {
		SessionJournal journal = opened(this.nodeA, "t");
		List<BinaryMessage> batch = new ArrayList<>();
		for (int seq = 1; seq <= 151; seq++) {
			batch.add(new BinaryMessage(filled(seq, (seq <= 150) ? 1_000 : 100_000)));
		}
		journal.append(1, batch);
		// 64 frames of 1,005 bytes fill an entry; the large frame takes one of its own.
		assertThat(redis.command("XLEN", stream(journal))).isEqualTo("4");
		journal.acknowledged(64);
		assertThat(redis.command("XLEN", stream(journal))).isEqualTo("3");

		ResumeClaim.Claimed claimed = (ResumeClaim.Claimed) this.nodeB
			.claim(new ClaimRequest("t", null, "/resume", 100, null, 0));

		assertThat(claimed.replay()).hasSize(51);
		for (int i = 0; i < 51; i++) {
			int seq = 101 + i;
			assertThat(((BinaryMessage) claimed.replay().get(i)).getPayload().array())
				.isEqualTo(filled(seq, (seq <= 150) ? 1_000 : 100_000));
		}
	}

	private static byte[] filled(int seq, int length) {
		byte[] bytes = new byte[length];
		Arrays.fill(bytes, (byte) seq);
		return bytes;
	}

	/** A session opened on a node, without a principal, and the token that resumes it. */
	private static SessionJournal opened(RedisResumeStore node, String token) {
		SessionJournal journal = node.open(new SessionKey(null, "/resume"));
		journal.tokenIssued(token);
		return journal;
	}

	private static String stream(SessionJournal journal) {
		return "test:{" + journal.id() + "}:f:" + journal.epoch();
	}

	/** Text messages whose payloads are their sequence numbers, from {@code first} to {@code last}. */
	private static List<TextMessage> texts(int first, int last) {
		return IntStream.rangeClosed(first, last).mapToObj((seq) -> text(Integer.toString(seq))).toList();
	}

	private static TextMessage text(String payload) {
		return new TextMessage(payload);
	}

	private static String payload(WebSocketMessage<?> message) {
		return (message instanceof TextMessage text) ? text.getPayload()
				: new String(((BinaryMessage) message).getPayload().array(), StandardCharsets.UTF_8);
	}

}

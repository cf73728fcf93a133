package io.github.wsdrain.server.resume.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.server.resume.ResumeClaim;
import io.github.wsdrain.server.resume.ResumeStore.ClaimRequest;
import io.github.wsdrain.server.resume.ResumeStore.SessionKey;
import io.github.wsdrain.server.resume.SessionJournal;
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

/**
 * The Redis store on a real {@code redis-server}: two nodes (two stores) share it; a
 * session opened on one is claimed on the other with its unacknowledged frames, exactly
 * those, in order; the old owner is fenced off and told; tokens are stored hashed.
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
		SessionJournal journal = this.nodeA.open(new SessionKey(null, "/resume"));
		journal.tokenIssued("t");
		journal.append(1, List.of(text("one")));
		journal.delivered(3);
		// Node A delivered 4 but had not recorded it when the move came.
		this.nodeA.onMovedAway((id, epoch) -> journal.released(4));

		ResumeClaim.Claimed claimed = (ResumeClaim.Claimed) this.nodeB
			.claim(new ClaimRequest("t", null, "/resume", 0, null, 0));

		assertThat(claimed.delivered()).isEqualTo(4);
		assertThat(claimed.origin().released()).isTrue();
		assertThat(claimed.origin().mayRepeat()).isFalse();
	}

	@Test
	void aHandOverRecordsWhatWasDeliveredAndRepeatsNothing() {
		SessionJournal journal = this.nodeA.open(new SessionKey(null, "/resume"));
		journal.tokenIssued("t");
		journal.handOver(6);

		ResumeClaim.Claimed claimed = (ResumeClaim.Claimed) this.nodeB
			.claim(new ClaimRequest("t", null, "/resume", 0, null, 0));

		assertThat(claimed.delivered()).isEqualTo(6);
		assertThat(claimed.origin().handedOver()).isTrue();
		assertThat(claimed.origin().mayRepeat()).isFalse();
	}

	@Test
	void binaryFramesKeepTheirTypeAndBytes() {
		SessionJournal journal = this.nodeA.open(new SessionKey(null, "/resume"));
		journal.tokenIssued("t");
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
		SessionJournal journal = this.nodeA.open(new SessionKey(null, "/resume"));
		journal.tokenIssued("t");
		journal.append(1, List.of(text("one")));

		this.nodeB.claim(new ClaimRequest("t", null, "/resume", 1, null, 0));

		assertThat(moved.poll(10, TimeUnit.SECONDS)).isEqualTo(journal.id() + " 2");
		assertThatExceptionOfType(SessionMovedException.class)
			.isThrownBy(() -> journal.append(2, List.of(text("two"))));
		assertThatExceptionOfType(SessionMovedException.class).isThrownBy(() -> journal.delivered(3));
		assertThat(redis.command("XLEN", "test:{" + journal.id() + "}:f")).isEqualTo("0");
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
		SessionJournal journal = this.nodeA.open(new SessionKey(null, "/resume"));
		journal.tokenIssued("t");
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
		assertThat(redis.command("XLEN", "test:{" + journal.id() + "}:f")).isEqualTo("1");
		journal.acknowledged(2);
		assertThat(redis.command("XLEN", "test:{" + journal.id() + "}:f")).isEqualTo("1");
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
		SessionJournal complete = this.nodeA.open(new SessionKey(null, "/resume"));
		complete.tokenIssued("done");
		complete.ended(CloseStatus.GOING_AWAY, true);
		SessionJournal failed = this.nodeA.open(new SessionKey(null, "/resume"));
		failed.tokenIssued("failed");
		failed.ended(CloseStatus.SERVER_ERROR, false);

		assertThat(this.nodeB.claim(new ClaimRequest("done", null, "/resume", 0, null, 0)))
			.isEqualTo(new ResumeClaim.Complete(CloseStatus.GOING_AWAY));
		assertThat(this.nodeB.claim(new ClaimRequest("failed", null, "/resume", 0, null, 0)))
			.isEqualTo(ResumeClaim.Unknown.INSTANCE);
	}

	@Test
	void aResumeOnTheOwnerAtItsEpochReadsNothingBackAndKeepsTheEpoch() {
		SessionJournal journal = this.nodeA.open(new SessionKey(null, "/resume"));
		journal.tokenIssued("t");
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
		SessionJournal journal = this.nodeA.open(new SessionKey(null, "/resume"));
		journal.tokenIssued("t");
		journal.append(1, List.of(text("one"), text("two")));
		ResumeClaim.Claimed claimed = (ResumeClaim.Claimed) this.nodeA
			.claim(new ClaimRequest("t", null, "/resume", 0, null, 0));
		assertThat(claimed.stayed()).isFalse();
		assertThat(claimed.journal().epoch()).isEqualTo(2);
		assertThat(claimed.replay()).extracting(RedisResumeStoreTests::payload).containsExactly("one", "two");
		assertThatExceptionOfType(SessionMovedException.class)
			.isThrownBy(() -> journal.append(3, List.of(text("three"))));
	}

	private static TextMessage text(String payload) {
		return new TextMessage(payload);
	}

	private static String payload(WebSocketMessage<?> message) {
		return (message instanceof TextMessage text) ? text.getPayload()
				: new String(((BinaryMessage) message).getPayload().array(), StandardCharsets.UTF_8);
	}

}

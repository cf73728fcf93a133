package io.github.wsdrain.server.resume;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.metrics.WsDrainServerMetrics;
import io.github.wsdrain.server.ServerSelection;
import io.github.wsdrain.server.resume.HostilePeers.Abandoned;
import io.github.wsdrain.testsupport.ResumeTestApplication;
import io.github.wsdrain.testsupport.ResumeTestApplication.Recorder;
import io.github.wsdrain.testsupport.WireClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.socket.TextMessage;

import static io.github.wsdrain.server.resume.HostilePeers.IPV6_LOOPBACK;
import static io.github.wsdrain.server.resume.HostilePeers.WAIT;
import static io.github.wsdrain.server.resume.HostilePeers.abandon;
import static io.github.wsdrain.server.resume.HostilePeers.resumes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients that open {@code wsdrain.v1} sessions and vanish hold only what the detached
 * limits allow, overall, per client address ({@code 127.0.0.1} and {@code ::1}) and per
 * principal: past a limit the oldest session of that scope ends (its client gets
 * <em>not recovered</em>, the app sees the close), the eviction is counted, and other
 * clients' sessions still resume (Tomcat, real sockets).
 */
@SpringBootTest(classes = ResumeTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { ServerSelection.TOMCAT, "wsdrain.server.resume.ack-timeout=500ms", "wsdrain.server.resume.window=5m",
				"wsdrain.server.resume.max-detached-sessions=40", "wsdrain.server.resume.max-detached-bytes=3MB",
				"wsdrain.server.resume.max-detached-sessions-per-address=10",
				"wsdrain.server.resume.max-detached-bytes-per-address=2MB",
				"wsdrain.server.resume.max-detached-sessions-per-principal=3",
				"wsdrain.server.resume.max-detached-bytes-per-principal=1MB" })
class DetachedSessionLimitsTests {

	private static final long MEGABYTE = 1024 * 1024;

	@LocalServerPort
	private int port;

	@Autowired
	private Recorder recorder;

	@Autowired
	private ResumableSessions sessions;

	@Autowired
	private WsDrainServerMetrics metrics;

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	@BeforeEach
	void bind() {
		this.recorder.clear();
		this.metrics.bindTo(this.meters);
	}

	@AfterEach
	void endEverySession() {
		this.sessions.getSessions().forEach(ResumableSession::close);
		await().atMost(WAIT).until(() -> this.sessions.getDetachedSessionCount() == 0);
	}

	/**
	 * 25 sessions abandoned from one address with a limit of 10: the 15 oldest end, the
	 * newest still resumes, and a session of another address is untouched.
	 */
	@Test
	void whenOneAddressAbandonsMoreSessionsThanItsLimitThenItsOldestEndAndOtherAddressesKeepTheirs() throws Exception {
		Abandoned neighbour = abandon(client().host(IPV6_LOOPBACK), this.recorder, 100);
		List<Abandoned> flood = new ArrayList<>();
		for (int i = 0; i < 25; i++) {
			flood.add(abandon(client(), this.recorder, 0));
			assertThat(this.sessions.getDetachedSessionCount()).isLessThanOrEqualTo(11);
		}

		assertThat(this.sessions.getDetachedSessionCount()).isEqualTo(11);
		assertThat(evicted("sessions-per-address")).isEqualTo(15);
		Abandoned oldest = flood.get(0);
		assertThat(this.recorder.closeOf(oldest.session()).status().getCode()).isEqualTo(1006);
		assertThat(resumes(client(), oldest)).isFalse();
		assertThat(resumes(client(), flood.get(24))).isTrue();
		WireClient back = client().host(IPV6_LOOPBACK).resume(neighbour.token(), 0).connect();
		assertThat(back.resumed()).isTrue();
		back.inbox().sizeReached(1).get(WAIT.toSeconds(), TimeUnit.SECONDS);
		back.close();
		assertServerStillServes();
	}

	/**
	 * 12 sessions of 256 KB abandoned from one address with 2 MB per address: what they
	 * hold never passes 2 MB; a 3 MB message, larger than the 1 MB replay buffer, counts
	 * in full and its session is the one that ends.
	 */
	@Test
	void whenAbandonedSessionsHoldMoreBytesThanTheAddressLimitThenTheOldestEndAndOversizedMessagesCountInFull()
			throws Exception {
		for (int i = 0; i < 12; i++) {
			abandon(client(), this.recorder, 256 * 1024);
			assertThat(this.sessions.getDetachedBytes()).isLessThanOrEqualTo(2 * MEGABYTE);
		}
		assertThat(evicted("bytes-per-address")).isGreaterThanOrEqualTo(4);
		assertThat(this.sessions.getDetachedSessionCount()).isBetween(6, 8);

		Abandoned oversized = abandon(client().host(IPV6_LOOPBACK), this.recorder, 3 * 1024 * 1024);

		assertThat(this.sessions.getDetachedBytes()).isLessThanOrEqualTo(2 * MEGABYTE);
		assertThat(this.recorder.closeOf(oversized.session()).status().getCode()).isEqualTo(1006);
		assertThat(resumes(client().host(IPV6_LOOPBACK), oversized)).isFalse();
		assertServerStillServes();
	}

	/**
	 * Two detached sessions of one principal, each sent 600 KB while away, with 1 MB per
	 * principal: the older ends when the newer passes the limit, the newer resumes with
	 * all ten messages.
	 */
	@Test
	void whenTheAppKeepsSendingToDetachedSessionsThenWhatTheyHoldCountsAndTheOldestEnds() throws Exception {
		Abandoned older = abandon(client().user("carol"), this.recorder, 0);
		Abandoned newer = abandon(client().user("carol"), this.recorder, 0);
		String chunk = "y".repeat(60 * 1024);
		for (int i = 0; i < 10; i++) {
			older.session().sendMessage(new TextMessage(chunk));
		}
		for (int i = 0; i < 10; i++) {
			newer.session().sendMessage(new TextMessage(chunk));
			assertThat(this.sessions.getDetachedBytes()).isLessThanOrEqualTo(MEGABYTE);
		}

		assertThat(evicted("bytes-per-principal")).isEqualTo(1);
		this.recorder.closeOf(older.session());
		assertThat(resumes(client().user("carol"), older)).isFalse();
		WireClient back = client().user("carol").resume(newer.token(), 0).connect();
		assertThat(back.resumed()).isTrue();
		back.inbox().sizeReached(10).get(WAIT.toSeconds(), TimeUnit.SECONDS);
		back.close();
	}

	/**
	 * One principal abandons 8 sessions with a limit of 3 from the address another user
	 * shares: 3 stay, the other user's session still resumes.
	 */
	@Test
	void whenOnePrincipalAbandonsMoreSessionsThanItsLimitThenOnlyItsOwnOldestEnd() throws Exception {
		Abandoned alice = abandon(client().user("alice"), this.recorder, 100);
		List<Abandoned> mallory = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			mallory.add(abandon(client().user("mallory"), this.recorder, 0));
		}

		assertThat(this.sessions.getDetachedSessionCount()).isEqualTo(4);
		assertThat(evicted("sessions-per-principal")).isEqualTo(5);
		assertThat(resumes(client().user("mallory"), mallory.get(7))).isTrue();
		assertThat(resumes(client().user("alice"), alice)).isTrue();
	}

	/**
	 * Two addresses, each within its own 2 MB, together over the 3 MB overall: the oldest
	 * sessions overall end, the newest of each address still resume.
	 */
	@Test
	void whenAllAddressesTogetherHoldMoreThanTheOverallLimitThenTheOldestOverallEnd() throws Exception {
		List<Abandoned> first = new ArrayList<>();
		List<Abandoned> second = new ArrayList<>();
		for (int i = 0; i < 7; i++) {
			first.add(abandon(client().host(IPV6_LOOPBACK), this.recorder, 256 * 1024));
		}
		for (int i = 0; i < 7; i++) {
			second.add(abandon(client(), this.recorder, 256 * 1024));
			assertThat(this.sessions.getDetachedBytes()).isLessThanOrEqualTo(3 * MEGABYTE);
		}

		assertThat(evicted("bytes")).isGreaterThanOrEqualTo(2);
		assertThat(evicted("bytes-per-address")).isZero();
		this.recorder.closeOf(first.get(0).session());
		assertThat(resumes(client().host(IPV6_LOOPBACK), first.get(0))).isFalse();
		assertThat(resumes(client().host(IPV6_LOOPBACK), first.get(6))).isTrue();
		assertThat(resumes(client(), second.get(6))).isTrue();
	}

	private WireClient.Builder client() {
		return ResumeTestApplication.client(this.port);
	}

	private double evicted(String limit) {
		return this.meters.get("wsdrain.sessions.evicted").tag("limit", limit).counter().count();
	}

	private void assertServerStillServes() throws Exception {
		String probe = HostilePeers.probe();
		WireClient fresh = client().path("/resume?" + probe).connect();
		ResumableSession session = (ResumableSession) this.recorder.sessionWith(probe);
		session.sendMessage(new TextMessage("still serving"));
		fresh.inbox().sizeReached(1).get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(fresh.inbox().payloads()).containsExactly("still serving");
		fresh.close();
	}

}

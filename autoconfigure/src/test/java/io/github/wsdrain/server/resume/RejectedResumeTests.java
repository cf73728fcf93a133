package io.github.wsdrain.server.resume;

import java.util.concurrent.TimeUnit;

import io.github.wsdrain.metrics.WsDrainServerMetrics;
import io.github.wsdrain.server.ServerSelection;
import io.github.wsdrain.server.resume.HostilePeers.Abandoned;
import io.github.wsdrain.testsupport.ResumeTestApplication;
import io.github.wsdrain.testsupport.ResumeTestApplication.Recorder;
import io.github.wsdrain.testsupport.WireClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.socket.TextMessage;

import static io.github.wsdrain.server.resume.HostilePeers.WAIT;
import static io.github.wsdrain.server.resume.HostilePeers.abandon;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A resume that breaks the rules, or comes through another endpoint, closes only its own
 * connection: the owner's connection keeps receiving, its session stays open and its
 * token still resumes. A resume that takes over a live connection is counted (Tomcat,
 * real sockets).
 */
@SpringBootTest(classes = ResumeTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { ServerSelection.TOMCAT, "wsdrain.server.resume.ack-timeout=500ms", "wsdrain.server.resume.window=30s" })
class RejectedResumeTests {

	@LocalServerPort
	private int port;

	@Autowired
	private ResumeTestApplication app;

	@Autowired
	private Recorder recorder;

	@Autowired
	private WsDrainServerMetrics metrics;

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	@BeforeEach
	void bind() {
		this.recorder.clear();
		this.metrics.bindTo(this.meters);
	}

	@Test
	void whenAResumeNamesASequenceBelowWhatTheOwnerAcknowledgedThenOnlyTheNewConnectionClosesWith1008()
			throws Exception {
		assertRejectedWithoutHarm("1", 1008);
	}

	@Test
	void whenAResumeNamesASequenceBeyondWhatWasSentThenOnlyTheNewConnectionClosesWith1008() throws Exception {
		assertRejectedWithoutHarm("99", 1008);
	}

	@Test
	void whenAResumeHasAMalformedSequenceThenOnlyTheNewConnectionClosesWith1002() throws Exception {
		assertRejectedWithoutHarm("-1", 1002);
	}

	@Test
	void whenATokenIsPresentedAtAnotherEndpointThenItIsNotRecoveredThereAndStillResumesAtItsOwn() throws Exception {
		Abandoned owner = abandon(client(), this.recorder, 100);

		WireClient elsewhere = client().path(this.app.other.path()).resume(owner.token(), 0).connect();
		assertThat(elsewhere.resumed()).isFalse();
		assertThat(this.app.other.nextSession()).isNotSameAs(owner.session());
		assertThat(elsewhere.inbox().payloads()).isEmpty();
		elsewhere.close();

		WireClient back = client().resume(owner.token(), 0).connect();
		assertThat(back.resumed()).isTrue();
		back.inbox().sizeReached(1).get(WAIT.toSeconds(), TimeUnit.SECONDS);
		back.close();
	}

	@Test
	void whenAResumeReplacesAConnectionThatJustDeliveredAFrameThenTheTakeoverIsCounted() throws Exception {
		String probe = HostilePeers.probe();
		WireClient owner = client().path("/resume?" + probe).connect();
		ResumableSession session = (ResumableSession) this.recorder.sessionWith(probe);
		session.sendMessage(new TextMessage("one"));
		owner.inbox().sizeReached(1).get(WAIT.toSeconds(), TimeUnit.SECONDS);
		await().atMost(WAIT).until(() -> session.getUnacknowledgedMessages() == 0);

		WireClient thief = client().resume(owner.token(), 1).connect();

		assertThat(thief.resumed()).isTrue();
		assertThat(owner.closeCode().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(4000);
		assertThat(replaced("true")).isEqualTo(1);
		assertThat(replaced("false")).isZero();
		thief.close();
	}

	/**
	 * The owner is connected and has acknowledged three messages; the bad resume gets its
	 * close code, the owner receives a fourth message on the same connection, then leaves
	 * and resumes with its token.
	 */
	private void assertRejectedWithoutHarm(String last, int code) throws Exception {
		String probe = HostilePeers.probe();
		WireClient owner = client().path("/resume?" + probe).connect();
		String token = owner.token();
		ResumableSession session = (ResumableSession) this.recorder.sessionWith(probe);
		for (int i = 1; i <= 3; i++) {
			session.sendMessage(new TextMessage("m" + i));
		}
		owner.inbox().sizeReached(3).get(WAIT.toSeconds(), TimeUnit.SECONDS);
		await().atMost(WAIT).until(() -> session.getUnacknowledgedMessages() == 0);

		WireClient attacker = client().resume(token, last).connect();

		assertThat(attacker.closeCode().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(code);
		assertThat(attacker.sessionFrame()).isNotDone();
		assertThat(rejected()).isEqualTo(1);
		assertThat(session.isOpen()).isTrue();
		assertThat(session.isConnected()).isTrue();
		session.sendMessage(new TextMessage("m4"));
		owner.inbox().sizeReached(4).get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(owner.closeCode()).isNotDone();
		assertThat(this.recorder.wasClosed(session)).isFalse();

		owner.abort();
		await().atMost(WAIT).until(() -> !session.isConnected());
		WireClient back = client().inbox(owner.inbox()).resume(token, owner.inbox().last()).connect();
		assertThat(back.resumed()).isTrue();
		assertThat(owner.inbox().payloads()).containsExactly("m1", "m2", "m3", "m4");
		back.close();
	}

	private WireClient.Builder client() {
		return ResumeTestApplication.client(this.port);
	}

	private double rejected() {
		return this.meters.get("wsdrain.resumes").tag("outcome", "rejected").counter().count();
	}

	private double replaced(String recentlyActive) {
		return this.meters.get("wsdrain.connections.replaced").tag("recently-active", recentlyActive).counter().count();
	}

}

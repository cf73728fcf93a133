package io.github.wsdrain.protocol;

import io.github.wsdrain.server.resume.ResumableSession;
import io.github.wsdrain.server.resume.ResumableSessions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.github.wsdrain.actuate.WsDrainEndpoint;
import io.github.wsdrain.actuate.WsDrainEndpoint.SessionDescriptor;
import io.github.wsdrain.metrics.WsDrainServerMetrics;
import io.github.wsdrain.protocol.ResumeTestApplication.Recorder;
import io.github.wsdrain.server.ServerSelection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.github.wsdrain.protocol.ResumeTestApplication.sendQuietly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code wsdrain.v1} meters and the endpoint's view of resumable sessions move as
 * real clients connect, are cut, resume, fail to resume and never acknowledge (Tomcat).
 */
@SpringBootTest(classes = ResumeTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { ServerSelection.TOMCAT, "wsdrain.server.ack-timeout=1s", "wsdrain.server.resume.window=30s",
				"management.endpoints.web.exposure.include=wsdrain" })
class ResumeMetricsTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@LocalServerPort
	private int port;

	@Autowired
	private Recorder recorder;

	@Autowired
	private WsDrainServerMetrics metrics;

	@Autowired
	private ResumableSessions sessions;

	@Autowired
	private WsDrainEndpoint endpoint;

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	@BeforeEach
	void bind() {
		this.recorder.clear();
		this.metrics.bindTo(this.meters);
	}

	@AfterEach
	void everySessionEnded() {
		// Each test ends its sessions: the gauges of the next one count only its own.
		await().atMost(WAIT).until(() -> this.sessions.size() == 0);
	}

	@Test
	void whenAClientIsCutAndResumesThenItIsDetachedMeanwhileAndOneResumeIsCounted() throws Exception {
		ProtocolClient first = ProtocolClient.to(this.port).connect();
		String token = first.token();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		sendQuietly(session, "before the cut");
		await().atMost(WAIT).until(() -> session.getUnacknowledgedMessages() == 0);
		assertThat(detached()).isZero();

		first.abort();
		await().atMost(WAIT).until(() -> !session.isConnected());
		sendQuietly(session, "while away");

		assertThat(detached()).isEqualTo(1);
		assertThat(unacknowledged()).isEqualTo(1);
		assertThat(this.endpoint.sessions(null, null).sessions()).singleElement().satisfies((listed) -> {
			assertThat(listed.id()).isEqualTo(session.getId());
			assertThat(listed.state()).isEqualTo("detached");
			assertThat(listed.resumable().unacknowledgedMessages()).isEqualTo(1);
		});
		assertThat(this.endpoint.sessions(null, null).totals().detachedSessions()).isEqualTo(1);

		ProtocolClient second = ProtocolClient.to(this.port).inbox(first.inbox).resume(token, 1).connect();
		assertThat(second.resumed()).isTrue();
		await().atMost(WAIT).until(() -> resumes("resumed") == 1);
		assertThat(resumes("not-recovered")).isZero();
		assertThat(resumes("rejected")).isZero();
		assertThat(detached()).isZero();
		await().atMost(WAIT).until(() -> first.inbox.size() == 2 && unacknowledged() == 0);
		second.close();
		this.recorder.closeOf(session);
	}

	@Test
	void whenTheTokenIsForgedThenOneResumeIsCountedNotRecovered() throws Exception {
		ProtocolClient client = ProtocolClient.to(this.port).resume("AAAAAAAAAAAAAAAAAAAAAA", 0).connect();
		assertThat(client.resumed()).isFalse();

		await().atMost(WAIT).until(() -> resumes("not-recovered") == 1);
		assertThat(resumes("resumed")).isZero();
		assertThat(resumes("rejected")).isZero();
		client.close();
		this.recorder.closeOf(this.recorder.nextSession());
	}

	/** The rejected attempt closes only its own connection: the session is untouched and resumes later. */
	@Test
	void whenAResumeGoesBelowTheAcknowledgedSequenceThenItIsCountedRejectedAndClosedWith1008() throws Exception {
		ProtocolClient first = ProtocolClient.to(this.port).connect();
		String token = first.token();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		IntStream.rangeClosed(1, 3).forEach((i) -> sendQuietly(session, "msg-" + i));
		await().atMost(WAIT).until(() -> session.getUnacknowledgedMessages() == 0);
		first.abort();
		await().atMost(WAIT).until(() -> !session.isConnected());

		ProtocolClient behind = ProtocolClient.to(this.port).resume(token, 1).connect();

		assertThat(behind.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1008);
		await().atMost(WAIT).until(() -> resumes("rejected") == 1);
		assertThat(resumes("resumed")).isZero();
		assertThat(resumes("not-recovered")).isZero();
		assertThat(this.recorder.wasClosed(session)).isFalse();
		ProtocolClient back = ProtocolClient.to(this.port).resume(token, 3).connect();
		assertThat(back.resumed()).isTrue();
		back.close();
		assertThat(this.recorder.closeOf(session).status().getCode()).isEqualTo(1000);
	}

	@Test
	void whenTheResumeParametersAreMalformedThenItIsCountedRejectedAndClosedWith1002() throws Exception {
		ProtocolClient client = ProtocolClient.to(this.port).resume("AAAAAAAAAAAAAAAAAAAAAA", "-1").connect();

		assertThat(client.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1002);
		await().atMost(WAIT).until(() -> resumes("rejected") == 1);
		assertThat(resumes("not-recovered")).isZero();
		assertThat(this.recorder.established).isEmpty();
	}

	@Test
	void whenTheClientNeverAcknowledgesThenTheGaugeAndTheEndpointCountItsMessages() throws Exception {
		ProtocolClient client = ProtocolClient.to(this.port).neverAcknowledge().connect();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		IntStream.rangeClosed(1, 7).forEach((i) -> sendQuietly(session, "msg-" + i));
		await().atMost(WAIT).until(() -> client.inbox.size() == 7);

		assertThat(unacknowledged()).isEqualTo(7);
		WsDrainEndpoint.SessionsReport report = this.endpoint.sessions(null, null);
		assertThat(report.totals().unacknowledgedMessages()).isEqualTo(7);
		assertThat(report.totals().detachedSessions()).isZero();
		SessionDescriptor listed = report.sessions().get(0);
		assertThat(listed.state()).isEqualTo("open");
		assertThat(listed.resumable().sessionId()).isEqualTo(session.getId());
		assertThat(listed.resumable().unacknowledgedMessages()).isEqualTo(7);
		client.close();
		assertThat(this.recorder.closeOf(session).status().getCode()).isEqualTo(1000);
		assertThat(unacknowledged()).isZero();
	}

	private double detached() {
		return this.meters.get("wsdrain.sessions").tag("state", "detached").gauge().value();
	}

	private double unacknowledged() {
		return this.meters.get("wsdrain.unacknowledged.messages").gauge().value();
	}

	private double resumes(String outcome) {
		return this.meters.get("wsdrain.resumes").tag("outcome", outcome).counter().count();
	}

}

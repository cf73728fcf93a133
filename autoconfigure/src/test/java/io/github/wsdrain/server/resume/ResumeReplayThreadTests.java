package io.github.wsdrain.server.resume;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.protocol.FrameCodec;
import io.github.wsdrain.server.NonReadingClient;
import io.github.wsdrain.server.ServerSelection;
import io.github.wsdrain.testsupport.ResumeTestApplication;
import io.github.wsdrain.testsupport.WireClient;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A resume writes its replay on the server's own threads, never on a container thread:
 * with Tomcat limited to 2 request threads, two resumes whose 8 MB replays stall on
 * peers that read nothing leave the server free to open a third session at once (Tomcat,
 * real sockets).
 */
@SpringBootTest(classes = ResumeTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { ServerSelection.TOMCAT, "server.tomcat.threads.max=2", "server.tomcat.threads.min-spare=1",
				"wsdrain.server.resume.buffer-size=16MB", "wsdrain.server.resume.window=60s" })
class ResumeReplayThreadTests {

	private static final int MEGABYTE = 1024 * 1024;

	private static final int REPLAY_MEGABYTES = 8;

	@LocalServerPort
	private int port;

	@Autowired
	private ResumeTestApplication.Recorder recorder;

	@Test
	void whenTwoReplaysStallOnPeersThatDoNotReadThenANewSessionStillOpensWithTwoRequestThreads() throws Exception {
		List<NonReadingClient> stalled = new ArrayList<>();
		try {
			for (int i = 0; i < 2; i++) {
				String token = abandonWithUnacknowledged(REPLAY_MEGABYTES);
				stalled.add(NonReadingClient.connect(this.port, "/resume?" + ResumableSessions.TOKEN_PARAMETER + "="
						+ token + "&" + ResumableSessions.LAST_PARAMETER + "=0", FrameCodec.PROTOCOL));
			}
			WireClient fresh = ResumeTestApplication.client(this.port).connect();
			assertThat(fresh.sessionFrame().get(10, TimeUnit.SECONDS)).isNotEmpty();
			assertThat(fresh.resumed()).isFalse();
			fresh.close();
		}
		finally {
			for (NonReadingClient client : stalled) {
				client.close();
			}
		}
	}

	/** Open a session, have the app send it megabytes it never acknowledges, and vanish. */
	private String abandonWithUnacknowledged(int megabytes) throws Exception {
		this.recorder.clear();
		WireClient client = ResumeTestApplication.client(this.port).neverAcknowledge().connect();
		String token = client.token();
		WebSocketSession session = this.recorder.nextSession();
		for (int i = 0; i < megabytes; i++) {
			session.sendMessage(new TextMessage("x".repeat(MEGABYTE)));
		}
		client.inbox().sizeReached(megabytes).get(30, TimeUnit.SECONDS);
		client.abort();
		await().atMost(Duration.ofSeconds(10)).until(() -> !((ResumableSession) session).isConnected());
		return token;
	}

}

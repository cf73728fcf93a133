package io.github.wsdrain.server.resume;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.server.ServerSelection;
import io.github.wsdrain.testsupport.ResumeTestApplication;
import io.github.wsdrain.testsupport.ResumeTestApplication.Recorder;
import io.github.wsdrain.testsupport.WireClient;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.github.wsdrain.server.resume.HostilePeers.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The heap 2,000 abandoned {@code wsdrain.v1} sessions hold, after a full GC: without
 * data each keeps its session state and nothing of its dead connection (under 16 KB,
 * where copying the container's attributes kept about 59 KB); with 64 KB of
 * unacknowledged data each, they hold no more than {@code max-detached-bytes} (32 MB)
 * plus that state, and the server serves afterwards (Tomcat, real sockets, one client
 * after another).
 */
@SpringBootTest(classes = ResumeTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { ServerSelection.TOMCAT, "wsdrain.server.resume.window=10m",
				"wsdrain.server.resume.max-detached-bytes=32MB",
				"wsdrain.server.resume.max-detached-sessions-per-address=10000" })
class AbandonedSessionsHeapTests {

	private static final int SESSIONS = 2000;

	private static final long MEGABYTE = 1024 * 1024;

	@LocalServerPort
	private int port;

	@Autowired
	private Recorder recorder;

	@Autowired
	private ResumableSessions sessions;

	@Test
	void twoThousandAbandonedSessionsHoldTheirStateOnlyAndNoMoreDataThanTheLimit() throws Exception {
		abandon(50, 0);
		long baseline = usedHeapAfterGc();

		abandon(SESSIONS, 0);
		long empty = usedHeapAfterGc();
		long perEmptySession = (empty - baseline) / SESSIONS;
		assertThat(this.sessions.getDetachedSessionCount()).isEqualTo(50 + SESSIONS);

		abandon(SESSIONS, 64 * 1024);
		long full = usedHeapAfterGc();
		System.out.printf("%d abandoned sessions: %d bytes each without data; with 64 KB each %d MB more "
				+ "(detached: %d sessions, %d MB counted)%n", SESSIONS, perEmptySession, (full - empty) / MEGABYTE,
				this.sessions.getDetachedSessionCount(), this.sessions.getDetachedBytes() / MEGABYTE);

		assertThat(perEmptySession).isLessThan(16 * 1024);
		assertThat(this.sessions.getDetachedBytes()).isLessThanOrEqualTo(32 * MEGABYTE);
		assertThat(full - empty).isLessThan(48 * MEGABYTE);
		assertThat(this.sessions.getDetachedSessionCount()).isLessThan(50 + 2 * SESSIONS);
		WireClient fresh = ResumeTestApplication.client(this.port).connect();
		fresh.token();
		fresh.send(Recorder.FILL + "10");
		fresh.inbox().sizeReached(1).get(WAIT.toSeconds(), TimeUnit.SECONDS);
		fresh.close();
	}

	/**
	 * Connect, take the session frame, ask the app for a message of {@code bytes}
	 * characters if any and take it, vanish.
	 */
	private void abandon(int count, int bytes) throws Exception {
		for (int i = 0; i < count; i++) {
			WireClient client = ResumeTestApplication.client(this.port).neverAcknowledge().connect();
			client.token();
			if (bytes > 0) {
				client.send(Recorder.FILL + bytes);
				client.inbox().sizeReached(1).get(WAIT.toSeconds(), TimeUnit.SECONDS);
			}
			client.abort();
		}
		// The app's handler keeps open sessions only; the test holds none.
		this.recorder.established.clear();
		await().atMost(WAIT)
			.until(() -> this.recorder.open.values()
				.stream()
				.noneMatch((session) -> ((ResumableSession) session).isConnected()));
	}

	private static long usedHeapAfterGc() {
		for (int i = 0; i < 4; i++) {
			ManagementFactory.getMemoryMXBean().gc();
		}
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

}

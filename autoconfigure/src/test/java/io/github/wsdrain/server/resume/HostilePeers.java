package io.github.wsdrain.server.resume;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.wsdrain.testsupport.ResumeTestApplication.Recorder;
import io.github.wsdrain.testsupport.WireClient;

import org.springframework.web.socket.TextMessage;

import static org.awaitility.Awaitility.await;

/**
 * What the hostile-peer tests do to a server: abandon sessions, come back with their
 * tokens.
 */
final class HostilePeers {

	static final Duration WAIT = Duration.ofSeconds(10);

	/** The other loopback address: the server sees a second client address. */
	static final String IPV6_LOOPBACK = "[::1]";

	private static final AtomicLong PROBES = new AtomicLong();

	private HostilePeers() {
	}

	/**
	 * Open a session, have the app send it {@code bytes} characters in one message, and
	 * vanish without acknowledging: the session waits for a resume.
	 */
	static Abandoned abandon(WireClient.Builder client, Recorder endpoint, int bytes) throws Exception {
		String probe = probe();
		WireClient connection = client.path(endpoint.path() + "?" + probe).neverAcknowledge().connect();
		String token = connection.token();
		ResumableSession session = (ResumableSession) endpoint.sessionWith(probe);
		if (bytes > 0) {
			session.sendMessage(new TextMessage("x".repeat(bytes)));
			connection.inbox().sizeReached(1).get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		connection.abort();
		await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> !session.isConnected());
		return new Abandoned(token, session);
	}

	/** A query parameter that tells one connection's session from the others the endpoint sees. */
	static String probe() {
		return "probe=" + PROBES.incrementAndGet();
	}

	/**
	 * Try to resume an abandoned session with its token and close the connection again.
	 * @return whether the session was resumed, rather than not recovered
	 */
	static boolean resumes(WireClient.Builder client, Abandoned abandoned) throws Exception {
		WireClient connection = client.resume(abandoned.token(), 0).connect();
		boolean resumed = connection.resumed();
		connection.close();
		return resumed;
	}

	/**
	 * A session whose client vanished.
	 *
	 * @param token the token that would resume it
	 * @param session the session as the app sees it
	 */
	record Abandoned(String token, ResumableSession session) {
	}

}

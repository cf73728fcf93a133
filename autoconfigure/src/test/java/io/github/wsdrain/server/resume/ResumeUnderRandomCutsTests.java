package io.github.wsdrain.server.resume;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.github.wsdrain.server.ServerSelection;
import io.github.wsdrain.testsupport.ChaosProxy;
import io.github.wsdrain.testsupport.ResumeTestApplication.Recorder;
import io.github.wsdrain.testsupport.ResumeTestApplication;
import io.github.wsdrain.testsupport.WireClient;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.github.wsdrain.testsupport.ResumeTestApplication.sendQuietly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Both directions of a {@code wsdrain.v1} session through a proxy that resets the
 * connection at random moments, with a client that simply reconnects: every message
 * arrives exactly once, in order.
 */
@SpringBootTest(classes = ResumeTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		// A small replay buffer, so that back-pressure is exercised, and a send time limit long
		// enough that a busy machine's slow reconnects never end the session (1011).
		properties = { ServerSelection.TOMCAT, "wsdrain.server.resume.window=30s",
				"wsdrain.server.resume.buffer-size=64KB", "wsdrain.server.send-time-limit=60s" })
class ResumeUnderRandomCutsTests {

	private static final int FROM_SERVER = 5000;

	private static final int FROM_CLIENT = 1000;

	private static final String PADDING = "p".repeat(100);

	@LocalServerPort
	private int port;

	@Autowired
	private Recorder recorder;

	private ChaosProxy proxy;

	private final ScheduledExecutorService chaos = Executors.newSingleThreadScheduledExecutor();

	@BeforeEach
	void startProxy() throws Exception {
		this.recorder.clear();
		this.proxy = new ChaosProxy(this.port);
	}

	@AfterEach
	void stopProxy() throws Exception {
		this.chaos.shutdownNow();
		this.proxy.close();
	}

	@RepeatedTest(5)
	void whenTheNetworkCutsAtRandomThenEveryMessageArrivesOnceInOrderBothWays() throws Exception {
		WireClient.Inbox inbox = new WireClient.Inbox();
		@Nullable WireClient client = ResumeTestApplication.client(this.proxy.port()).inbox(inbox).connect();
		String token = client.token();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> IntStream.rangeClosed(1, FROM_SERVER)
			.forEach((i) -> {
				if (i == FROM_SERVER / 2) {
					// On a quiet machine everything could go through before the first cut.
					await().atMost(Duration.ofSeconds(30)).until(() -> this.proxy.cuts() > 0);
				}
				sendQuietly(session, "s-" + i + "-" + PADDING);
			}));
		scheduleCut();

		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
		int connections = 1;
		boolean first = true;
		while (inbox.size() < FROM_SERVER || this.recorder.received.size() < FROM_CLIENT) {
			assertThat(System.nanoTime()).as("everything delivered within 90 s").isLessThan(deadline);
			if (client != null && client.sessionFrame().isDone()) {
				// The newest token this client has seen; an older one is used up once the server had a frame.
				token = client.token();
			}
			if (client == null || client.closeCode().isDone() || !client.sessionFrame().isDone()) {
				client = reconnect(inbox, token);
				connections++;
				continue;
			}
			token = client.token();
			assertThat(first || client.resumed()).as("resumed, never 'not recovered'").isTrue();
			first = false;
			sendFromClient(client, Long.parseLong(client.sessionFrame().get()[3]));
			WireClient current = client;
			// Until this connection is cut, or everything has arrived both ways.
			try {
				await().atMost(Duration.ofSeconds(30))
					.until(() -> current.closeCode().isDone() || (inbox.size() == FROM_SERVER
							&& this.recorder.received.size() == FROM_CLIENT));
			}
			catch (ConditionTimeoutException ex) {
				throw new AssertionError("Stuck: client has " + inbox.size() + " (last " + inbox.last() + "), app has "
						+ this.recorder.received.size() + "; " + session + " unacknowledged "
						+ session.getUnacknowledgedMessages() + ", last sent " + session.getLastSent()
						+ "; server acknowledged the client up to " + current.serverAcknowledged()
						+ "; app sending done: " + sending.isDone(), ex);
			}
		}
		sending.get(30, TimeUnit.SECONDS);

		assertThat(inbox.payloads())
			.containsExactlyElementsOf(IntStream.rangeClosed(1, FROM_SERVER).mapToObj((i) -> "s-" + i + "-" + PADDING).toList());
		assertThat(inbox.unexpected()).isEmpty();
		List<String> received = List.copyOf(this.recorder.received);
		assertThat(received).containsExactlyElementsOf(IntStream.rangeClosed(1, FROM_CLIENT).mapToObj((i) -> "c-" + i).toList());
		System.out.printf("random cuts: %d cuts, %d connections, %d + %d messages exactly once%n", this.proxy.cuts(),
				connections, FROM_SERVER, FROM_CLIENT);
		assertThat(this.proxy.cuts()).isPositive();
		if (client != null) {
			this.chaos.shutdownNow();
			client.close();
		}
	}

	/** The client's own replay: everything after what the server says it has delivered. */
	private void sendFromClient(WireClient client, long deliveredByServer) {
		try {
			for (long seq = deliveredByServer + 1; seq <= FROM_CLIENT && !client.closeCode().isDone(); seq++) {
				client.sendNumbered(seq, "c-" + seq);
			}
		}
		catch (RuntimeException ex) {
			// cut while sending: the next connection replays from what the server has
		}
	}

	private @Nullable WireClient reconnect(WireClient.Inbox inbox, String token) {
		try {
			WireClient next = ResumeTestApplication.client(this.proxy.port()).inbox(inbox).resume(token, inbox.last()).connect();
			CompletableFuture.anyOf(next.sessionFrame(), next.closeCode()).get(10, TimeUnit.SECONDS);
			return next;
		}
		catch (Exception ex) {
			// cut during the handshake or before the session frame: try again
			return null;
		}
	}

	/**
	 * Cut every 50 to 300 ms: often enough for dozens of cuts per run, rarely enough that a
	 * reconnect and its replay usually complete in between.
	 */
	private void scheduleCut() {
		this.chaos.schedule(() -> {
			this.proxy.cut();
			scheduleCut();
		}, ThreadLocalRandom.current().nextLong(50, 300), TimeUnit.MILLISECONDS);
	}

}

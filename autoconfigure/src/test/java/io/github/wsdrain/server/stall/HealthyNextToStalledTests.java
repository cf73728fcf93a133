package io.github.wsdrain.server.stall;

import io.github.wsdrain.server.DrainTestApplication;
import io.github.wsdrain.server.NonReadingClient;
import io.github.wsdrain.session.DrainingWebSocketSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.socket.TextMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A healthy client next to two that stop reading (1 KB receive window), all fed by one
 * shared 2-thread scheduler, 32 KB every 10 ms each, as a simple streaming endpoint does:
 * once both scheduler threads are stuck on the stalled peers, the healthy client gets
 * nothing until those writes end. With a send time limit of 1 s its longest gap stays
 * under 5 s (about 20 s before writes were bounded, Tomcat's own blocking-send timeout).
 */
@SpringBootTest(classes = DrainTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "wsdrain.server.send-time-limit=1s")
abstract class HealthyNextToStalledTests {

	private static final Duration BOUND = Duration.ofSeconds(5);

	private static final String PAYLOAD = "x".repeat(32 * 1024);

	@LocalServerPort
	private int port;

	@Autowired
	private DrainTestApplication application;

	@Test
	void theHealthyClientsLongestGapStaysBoundedWhileTwoPeersStall() throws Exception {
		ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
		WebSocket healthy = healthyClient(arrivals);
		DrainingWebSocketSession healthySession = (DrainingWebSocketSession) this.application.sessionCapture().next();
		ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
		List<NonReadingClient> stalled = new ArrayList<>();
		List<DrainingWebSocketSession> stalledSessions = new ArrayList<>();
		try {
			stream(scheduler, healthySession);
			for (int i = 0; i < 2; i++) {
				stalled.add(NonReadingClient.connect(this.port, "/drained/bean"));
				DrainingWebSocketSession session = (DrainingWebSocketSession) this.application.sessionCapture().next();
				stalledSessions.add(session);
				stream(scheduler, session);
			}
			await().atMost(Duration.ofSeconds(60))
				.until(() -> stalledSessions.stream().allMatch((session) -> session.getCloseFuture().isDone()));
			int afterStalls = arrivals.size();
			await().atMost(Duration.ofSeconds(30)).until(() -> arrivals.size() >= afterStalls + 50);

			Duration longestGap = longestGap(arrivals);
			System.out.println("Healthy next to two stalled: longest gap " + longestGap.toMillis() + " ms over "
					+ arrivals.size() + " messages; stalled sessions closed with "
					+ stalledSessions.stream().map((session) -> session.getCloseFuture().join().status()).toList());
			assertThat(longestGap).isLessThan(BOUND);
			assertThat(stalledSessions).allSatisfy((session) -> assertThat(
					session.getCloseFuture().join().status().getCode())
				.isEqualTo(1011));
			assertThat(healthySession.isOpen()).isTrue();
			assertThat(healthySession.getDroppedMessages()).isZero();
		}
		finally {
			scheduler.shutdownNow();
			for (NonReadingClient client : stalled) {
				client.close();
			}
			healthy.abort();
		}
	}

	/** Send to the session every 10 ms until a send fails. */
	private static void stream(ScheduledExecutorService scheduler, DrainingWebSocketSession session) {
		scheduler.scheduleAtFixedRate(() -> {
			try {
				session.sendMessage(new TextMessage(PAYLOAD));
			}
			catch (IOException ex) {
				// Ends this stream only: a task that throws is not run again.
				throw new UncheckedIOException(ex);
			}
		}, 0, 10, TimeUnit.MILLISECONDS);
	}

	private static Duration longestGap(ConcurrentLinkedQueue<Long> arrivals) {
		long longest = 0;
		Long previous = null;
		for (Long arrival : arrivals) {
			if (previous != null) {
				longest = Math.max(longest, arrival - previous);
			}
			previous = arrival;
		}
		return Duration.ofNanos(longest);
	}

	private WebSocket healthyClient(ConcurrentLinkedQueue<Long> arrivals) throws Exception {
		return HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.buildAsync(URI.create("ws://localhost:" + this.port + "/drained/bean"), new WebSocket.Listener() {

				@Override
				public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
					if (last) {
						arrivals.add(System.nanoTime());
					}
					webSocket.request(1);
					return null;
				}

			})
			.get(10, TimeUnit.SECONDS);
	}

}

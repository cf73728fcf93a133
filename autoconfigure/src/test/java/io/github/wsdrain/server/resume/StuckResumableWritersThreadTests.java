package io.github.wsdrain.server.resume;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.wsdrain.server.ServerSelection;
import io.github.wsdrain.testsupport.RawWebSocketClient;
import io.github.wsdrain.testsupport.ResumeTestApplication;
import io.github.wsdrain.testsupport.ResumeTestApplication.Recorder;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.socket.BinaryMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Ten {@code wsdrain.v1} clients that stop reading while the app writes 16 MB to each,
 * and keep sending data: 100 frames each over 2 s, every one delivered to the app, while
 * the writes are stuck (send time limit 10 s). Their acknowledgements cannot be written
 * while the big write is stuck; each session keeps at most one acknowledgement task
 * waiting, so at most 10 acknowledgement threads exist (one per session and per 100 ms
 * each before: about 200 here). The JVM's peak thread count grows by at most 60 over the
 * run: the 10 stuck app senders, those acknowledgement tasks, and the container's own
 * threads (about 1,300 more in 20 s before the server's executor was bounded). Tomcat,
 * real sockets.
 */
@SpringBootTest(classes = ResumeTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { ServerSelection.TOMCAT, "wsdrain.server.resume.buffer-size=1MB" })
class StuckResumableWritersThreadTests {

	private static final int CLIENTS = 10;

	private static final int FRAMES = 100;

	@LocalServerPort
	private int port;

	@Autowired
	private Recorder recorder;

	@Test
	void whenTenStuckClientsKeepSendingThenEachSessionKeepsOneAcknowledgementTaskAndThreadsStayBounded() throws Exception {
		this.recorder.clear();
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		threads.resetPeakThreadCount();
		int baseline = threads.getThreadCount();
		ExecutorService appSenders = Executors.newFixedThreadPool(CLIENTS);
		ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
		List<RawWebSocketClient> clients = new ArrayList<>();
		try {
			for (int i = 0; i < CLIENTS; i++) {
				clients.add(stuckClient());
				ResumableSession session = (ResumableSession) this.recorder.nextSession();
				appSenders.execute(() -> sendQuietly(session, new BinaryMessage(new byte[16 * 1024 * 1024])));
			}
			AtomicInteger sent = new AtomicInteger();
			ScheduledFuture<?> frames = pacer.scheduleAtFixedRate(() -> {
				int seq = sent.incrementAndGet();
				if (seq <= FRAMES) {
					clients.forEach((client) -> sendText(client, "m:" + seq + ":x"));
				}
			}, 0, 20, TimeUnit.MILLISECONDS);

			await().atMost(Duration.ofSeconds(30)).until(() -> this.recorder.received.size() == CLIENTS * FRAMES);
			frames.cancel(false);
			// The last acknowledgement tasks start within 100 ms of the last delivery.
			await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> true);

			int peak = threads.getPeakThreadCount();
			System.out.println("Ten stuck wsdrain.v1 writers: peak threads " + peak + ", " + baseline + " before");
			assertThat(peak - baseline).isLessThanOrEqualTo(60);
			assertThat(acknowledgementThreads()).isBetween(1L, (long) CLIENTS);
		}
		finally {
			pacer.shutdownNow();
			for (RawWebSocketClient client : clients) {
				client.close();
			}
			appSenders.shutdownNow();
		}
	}

	/** Busy threads of the server's executor (not its timer), where acknowledgements are written. */
	private static long acknowledgementThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().startsWith("wsdrain-server-") && thread.isAlive()
					&& thread.getState() != Thread.State.TIMED_WAITING)
			.count();
	}

	/** Handshake {@code wsdrain.v1} with a 4 KB receive window, then never read again. */
	private RawWebSocketClient stuckClient() throws IOException {
		RawWebSocketClient client = RawWebSocketClient.connect(this.port, "/resume", 4096, "wsdrain.v1");
		assertThat(client.handshakeResponse()).containsIgnoringCase("wsdrain.v1");
		return client;
	}

	private static void sendText(RawWebSocketClient client, String text) {
		try {
			client.sendText(text);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void sendQuietly(ResumableSession session, BinaryMessage message) {
		try {
			session.sendMessage(message);
		}
		catch (IOException ex) {
			// The connection ended under the stuck write: the test closed it.
		}
	}

}

package io.github.wsdrain.protocol;


import io.github.wsdrain.server.resume.ResumableSession;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
 * the writes are stuck (send time limit 10 s). The JVM's peak thread count grows by at
 * most 60 over the run: the 10 stuck app senders, at most one acknowledgement task per
 * session, and the container's own threads (about 1,300 more in 20 s before the server's
 * executor was bounded). Tomcat, real sockets.
 */
@SpringBootTest(classes = HostileTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { ServerSelection.TOMCAT, "wsdrain.server.resume.buffer-size=1MB" })
class StuckResumableWritersThreadTests {

	private static final int CLIENTS = 10;

	private static final int FRAMES = 100;

	@LocalServerPort
	private int port;

	@Autowired
	private HostileTestApplication app;

	@Test
	void whenTenStuckClientsKeepSendingThenTheThreadCountStaysBounded() throws Exception {
		this.app.resume.clear();
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		threads.resetPeakThreadCount();
		int baseline = threads.getThreadCount();
		ExecutorService appSenders = Executors.newFixedThreadPool(CLIENTS);
		ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
		List<Socket> sockets = new ArrayList<>();
		try {
			for (int i = 0; i < CLIENTS; i++) {
				Socket socket = stuckClient();
				sockets.add(socket);
				ResumableSession session = (ResumableSession) this.app.resume.nextSession();
				appSenders.execute(() -> sendQuietly(session, new BinaryMessage(new byte[16 * 1024 * 1024])));
			}
			AtomicInteger sent = new AtomicInteger();
			ScheduledFuture<?> frames = pacer.scheduleAtFixedRate(() -> {
				int seq = sent.incrementAndGet();
				if (seq <= FRAMES) {
					sockets.forEach((socket) -> sendMaskedText(socket, "m:" + seq + ":x"));
				}
			}, 0, 20, TimeUnit.MILLISECONDS);

			await().atMost(Duration.ofSeconds(30)).until(() -> this.app.resume.received.size() == CLIENTS * FRAMES);
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
			for (Socket socket : sockets) {
				socket.close();
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
	private Socket stuckClient() throws IOException {
		Socket socket = new Socket();
		socket.setReceiveBufferSize(4096);
		socket.connect(new InetSocketAddress("localhost", this.port), 5000);
		String request = "GET /resume HTTP/1.1\r\nHost: localhost:" + this.port
				+ "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
				+ "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: wsdrain.v1\r\n\r\n";
		socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
		socket.getOutputStream().flush();
		String headers = readHeaders(socket.getInputStream());
		assertThat(headers).startsWith("HTTP/1.1 101").containsIgnoringCase("wsdrain.v1");
		return socket;
	}

	private static String readHeaders(InputStream in) throws IOException {
		ByteArrayOutputStream headers = new ByteArrayOutputStream();
		while (!headers.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
			int next = in.read();
			if (next < 0) {
				throw new IOException("Connection closed during the handshake");
			}
			headers.write(next);
		}
		return headers.toString(StandardCharsets.ISO_8859_1);
	}

	/** One masked text frame of under 126 bytes, as a client must send it. */
	private static void sendMaskedText(Socket socket, String text) {
		byte[] payload = text.getBytes(StandardCharsets.UTF_8);
		byte[] mask = { 1, 2, 3, 4 };
		byte[] frame = new byte[6 + payload.length];
		frame[0] = (byte) 0x81;
		frame[1] = (byte) (0x80 | payload.length);
		System.arraycopy(mask, 0, frame, 2, 4);
		for (int i = 0; i < payload.length; i++) {
			frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
		}
		try {
			OutputStream out = socket.getOutputStream();
			out.write(frame);
			out.flush();
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

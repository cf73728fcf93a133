package io.github.wsdrain.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.session.BarrierOutcome;
import io.github.wsdrain.session.CloseResult;
import io.github.wsdrain.session.DrainingWebSocketSession;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;

import static io.github.wsdrain.benchmarks.Bench.WAIT_SECONDS;
import static io.github.wsdrain.benchmarks.Bench.check;
import static io.github.wsdrain.benchmarks.Bench.requireDraining;

/**
 * What the close barrier costs: the close of an idle session, and the close of 1,000
 * idle sessions at once, each with the barrier (a {@code /drained} session of the
 * auto-configuration) and without it (a {@code /plain} session wrapped in a draining
 * session whose barrier is off), in pairs. Each session has sent one message before it
 * is closed: one that sent nothing has no Ping to send. The clients answer Pings as soon
 * as they read them: a JDK WebSocket for the idle close, the non-blocking clients of the
 * scale cells, in one JVM of their own that serves every run, for the 1,000 sessions.
 */
final class CloseBarrierCell implements AutoCloseable {

	private static final int SESSIONS = 1_000;

	private final BenchServer server;

	private final Function<String, URI> uri;

	private final HttpClient httpClient = HttpClient.newHttpClient();

	private final DrainingSessionRegistry withoutBarrier;

	private final ClientsProcess clients;

	/**
	 * Create the cell and start its clients' JVM.
	 * @param server the server's endpoints
	 * @param withoutBarrier draining sessions with the close barrier off, for {@code /plain}'s
	 * @param uri the server's URI of a path
	 */
	CloseBarrierCell(BenchServer server, DrainingSessionRegistry withoutBarrier, Function<String, URI> uri)
			throws IOException {
		this.server = server;
		this.uri = uri;
		this.withoutBarrier = withoutBarrier;
		this.clients = ClientsProcess.start("1g", "barrier-clients");
	}

	/**
	 * Measure, in pairs, {@code runs} times after {@code warmups} unmeasured pairs.
	 * @return per cell, the milliseconds of each run
	 */
	Result measure(int runs, int warmups) throws Exception {
		double[][] idle = new double[2][runs];
		double[][] all = new double[2][runs];
		double[][] futures = new double[2][runs];
		for (int r = -warmups; r < runs; r++) {
			for (int barrier = 0; barrier < 2; barrier++) {
				double idleMillis = idleCloseRun(barrier == 1);
				long[] closeAll = closeAllRun(barrier == 1);
				if (r >= 0) {
					idle[barrier][r] = idleMillis;
					all[barrier][r] = closeAll[0] / 1e6;
					futures[barrier][r] = closeAll[1] / 1e6;
				}
			}
			if (r >= 0) {
				System.out.printf(Locale.ROOT,
						"  run %d/%d: idle close %.2f ms without the barrier, %.2f ms with; %,d sessions: last close "
								+ "frame %.0f ms without, %.0f ms with%n",
						r + 1, runs, idle[0][r], idle[1][r], SESSIONS, all[0][r], all[1][r]);
			}
		}
		return new Result(SESSIONS, idle, all, futures);
	}

	private double idleCloseRun(boolean barrier) throws Exception {
		ReceivingClient client = ReceivingClient.connect(this.httpClient,
				this.uri.apply(barrier ? "/drained" : "/plain"), false);
		DrainingWebSocketSession session = draining(
				(barrier ? this.server.drained() : this.server.plain()).next(), barrier);
		session.sendMessage(oneMessage());
		client.whenReceived(1).get(WAIT_SECONDS, TimeUnit.SECONDS);
		long started = System.nanoTime();
		CloseResult result = session.closeAsync(CloseStatus.NORMAL).get(WAIT_SECONDS, TimeUnit.SECONDS);
		ReceivingClient.Close close = client.closed().get(WAIT_SECONDS, TimeUnit.SECONDS);
		check(close.code() == CloseStatus.NORMAL.getCode(), "idle close: code %d", close.code());
		checkOutcome(result, barrier);
		return (close.nanos() - started) / 1e6;
	}

	/** Return the nanoseconds from the first closeAsync to the last close frame at a client, and to the last future. */
	private long[] closeAllRun(boolean barrier) throws Exception {
		this.clients.open(this.uri.apply(barrier ? "/drained" : "/plain"), SESSIONS);
		this.clients.expectLine("CONNECTED");
		List<DrainingWebSocketSession> sessions = new ArrayList<>(SESSIONS);
		for (WebSocketSession session : (barrier ? this.server.drained() : this.server.plain()).next(SESSIONS)) {
			sessions.add(draining(session, barrier));
		}
		for (DrainingWebSocketSession session : sessions) {
			session.sendMessage(oneMessage());
		}
		awaitSent(sessions);
		long started = System.nanoTime();
		List<CompletableFuture<CloseResult>> closing = new ArrayList<>(SESSIONS);
		for (DrainingWebSocketSession session : sessions) {
			closing.add(session.closeAsync(CloseStatus.GOING_AWAY));
		}
		CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(WAIT_SECONDS, TimeUnit.SECONDS);
		long futuresNanos = System.nanoTime() - started;
		for (CompletableFuture<CloseResult> result : closing) {
			checkOutcome(result.get(), barrier);
		}
		String result = this.clients.expectLine("RESULT");
		check(result.contains("codes=1001:" + SESSIONS), "close of %d sessions: %s", SESSIONS, result);
		long lastClose = Long.parseLong(result.replaceAll(".*lastCloseNanos=(\\d+).*", "$1"));
		return new long[] { lastClose - started, futuresNanos };
	}

	private static BinaryMessage oneMessage() {
		return new BinaryMessage(ByteBuffer.wrap(new byte[] { 1 }));
	}

	/** Wait until every session has handed its message to the container, so that none has anything queued. */
	private static void awaitSent(List<DrainingWebSocketSession> sessions) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
		for (DrainingWebSocketSession session : sessions) {
			while (session.getSentMessages() == 0) {
				check(System.nanoTime() < deadline, "session %s did not send its message", session);
				LockSupport.parkNanos(100_000);
			}
		}
	}

	private DrainingWebSocketSession draining(WebSocketSession session, boolean barrier) {
		return barrier ? requireDraining(session) : this.withoutBarrier.drainingSession(session);
	}

	private static void checkOutcome(CloseResult result, boolean barrier) {
		BarrierOutcome expected = barrier ? BarrierOutcome.PASSED : BarrierOutcome.SKIPPED;
		check(result.closeBarrier() == expected && result.dropped() == 0, "close: %s, expected barrier %s", result,
				expected);
	}

	@Override
	public void close() throws InterruptedException {
		this.clients.close();
	}

	/**
	 * Milliseconds per run; index 0 without the barrier, 1 with it.
	 *
	 * @param sessions sessions closed at once in the second cell
	 * @param idleClose close of one idle session → close frame at the client
	 * @param closeAll closeAsync on every session → last close frame at a client
	 * @param futures closeAsync on every session → every CloseResult future completed
	 */
	record Result(int sessions, double[][] idleClose, double[][] closeAll, double[][] futures) {

	}

}

package io.github.wsdrain.benchmarks;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.session.CloseResult;
import io.github.wsdrain.session.DrainSettings;
import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.session.SessionClosingException;

import org.springframework.http.HttpHeaders;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.standard.StandardWebSocketSession;

import static io.github.wsdrain.benchmarks.Bench.KB;
import static io.github.wsdrain.benchmarks.Bench.WAIT_SECONDS;
import static io.github.wsdrain.benchmarks.Bench.check;
import static io.github.wsdrain.benchmarks.Bench.filler;
import static io.github.wsdrain.benchmarks.Bench.log;
import static io.github.wsdrain.benchmarks.Bench.requireDraining;

/**
 * Memory and scale: the retained heap of draining sessions alone, then 1,000 and 10,000
 * connected sessions streaming and closed at once.
 */
final class ScaleCells {

	private final BenchContext bench;

	ScaleCells(BenchContext bench) {
		this.bench = bench;
	}

	/**
	 * Retained heap of the draining wrapper alone: N Spring sessions without a container
	 * behind them, then a draining session for each through the registry (which also
	 * keeps it in its set and in the session's attributes).
	 */
	void heapPerSessionObjects() throws Exception {
		int count = this.bench.quick() ? 20_000 : 100_000;
		log("Heap per session, %,d draining sessions around container-less Spring sessions", count);
		double[] perSession = new double[this.bench.runs()];
		for (int r = 0; r < this.bench.runs(); r++) {
			DrainingSessionRegistry objects = new DrainingSessionRegistry(DrainSettings.DEFAULTS, List.of());
			try {
				List<WebSocketSession> sessions = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					sessions.add(new StandardWebSocketSession(new HttpHeaders(), new HashMap<>(), null, null));
				}
				long before = usedHeapAfterGc();
				List<DrainingWebSocketSession> drained = new ArrayList<>(count);
				for (WebSocketSession session : sessions) {
					drained.add(objects.drainingSession(session));
				}
				long after = usedHeapAfterGc();
				check(drained.size() == count && objects.getSessions().size() == count, "heap run: %d sessions",
						drained.size());
				// The list holding them is the benchmark's, not wsdrain's.
				perSession[r] = (after - before - (16 + 4L * count)) / (double) count;
				sessions.clear();
				drained.clear();
			}
			finally {
				objects.destroy();
			}
		}
		this.bench.report().heap().record(count, perSession);
	}

	private static long usedHeapAfterGc() throws InterruptedException {
		for (int i = 0; i < 3; i++) {
			System.gc();
			Thread.sleep(50);
		}
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	// ---------------------------------------------------------------- scale

	void scale() throws Exception {
		int[] counts = this.bench.quick() ? new int[] { 200, 1_000 } : new int[] { 1_000, 10_000 };
		try (ClientsProcess clients = ClientsProcess.start("2g", "scale-clients")) {
			scale(counts, clients);
		}
	}

	private void scale(int[] counts, ClientsProcess clients) throws Exception {
		// A warm-up run at the smaller size serves both sizes: one 10,000-session run takes ~35 s here.
		log("Scale, warm-up run with %,d sessions", counts[0]);
		scaleRun(clients, counts[0], false);
		for (int count : counts) {
			// The stock-Spring heap runs double the connections: only at the smaller size, within the time budget.
			boolean comparePlain = count == counts[0];
			log("Scale, %,d sessions%s", count, comparePlain ? ", and the same number idle on /plain" : "");
			double[] heapDrained = new double[this.bench.runs()];
			double[] heapPlain = comparePlain ? new double[this.bench.runs()] : null;
			double[] closeAllMillis = new double[this.bench.runs()];
			double[] futuresMillis = new double[this.bench.runs()];
			double[] delivered = new double[this.bench.runs()];
			double[] peakThreads = new double[this.bench.runs()];
			for (int r = 0; r < this.bench.runs(); r++) {
				ScaleRun run = scaleRun(clients, count, false);
				heapDrained[r] = run.heapPerSession();
				closeAllMillis[r] = run.closeAllNanos() / 1e6;
				futuresMillis[r] = run.futuresNanos() / 1e6;
				delivered[r] = run.delivered();
				peakThreads[r] = run.peakThreads();
				if (comparePlain) {
					heapPlain[r] = scaleRun(clients, count, true).heapPerSession();
				}
				log("  run %d/%d: %,d messages delivered, 0 lost, all close frames received %.0f ms after closeAsync, "
						+ "peak %d live threads", r + 1, this.bench.runs(), run.delivered(), closeAllMillis[r],
						run.peakThreads());
			}
			this.bench.report()
				.scale()
				.record(count, closeAllMillis, futuresMillis, delivered, peakThreads, heapDrained, heapPlain);
		}
	}

	record ScaleRun(double heapPerSession, long closeAllNanos, long futuresNanos, long delivered, int peakThreads) {

	}

	/**
	 * N clients in the clients' JVM connect; the heap after GC is taken with them idle.
	 * On {@code /drained}: two threads stream 1 KB messages to every session in turn for
	 * a second, then every session of the registry is closed with 1001 while they keep
	 * sending; the run checks that each message whose {@code sendMessage} returned
	 * arrived and that every client got the close frame. On {@code /plain} (excluded,
	 * stock Spring) only the idle heap is taken.
	 */
	private ScaleRun scaleRun(ClientsProcess clients, int count, boolean plain) throws Exception {
		long heapBefore = usedHeapAfterGc();
		clients.open(uri(plain ? "/plain" : "/drained"), count);
		clients.expectLine("CONNECTED");
		BenchServer.SessionCapture capture = plain ? this.bench.server().plain() : this.bench.server().drained();
		List<WebSocketSession> sessions = capture.next(count);
		double heapPerSession = (usedHeapAfterGc() - heapBefore) / (double) count;
		if (plain) {
			for (WebSocketSession session : sessions) {
				session.close(CloseStatus.GOING_AWAY);
			}
			clients.expectLine("RESULT");
			return new ScaleRun(heapPerSession, 0, 0, 0, 0);
		}
		List<DrainingWebSocketSession> drained = sessions.stream().map(Bench::requireDraining).toList();
		check(this.bench.registry().getSessions().size() == count, "registry holds %d sessions, expected %d",
				this.bench.registry().getSessions().size(), count);
		ByteBuffer payload = ByteBuffer.wrap(filler(KB));
		List<Future<Long>> streams = new ArrayList<>();
		for (int t = 0; t < 2; t++) {
			List<DrainingWebSocketSession> share = drained.subList(t * count / 2, (t + 1) * count / 2);
			streams.add(this.bench.senders().submit(() -> stream(share, payload)));
		}
		Thread.sleep(this.bench.quick() ? 300 : 1000);
		var threads = ManagementFactory.getThreadMXBean();
		threads.resetPeakThreadCount();
		long started = System.nanoTime();
		List<CompletableFuture<CloseResult>> closing = new ArrayList<>(count);
		for (DrainingWebSocketSession session : this.bench.registry().getSessions()) {
			closing.add(session.closeAsync(CloseStatus.GOING_AWAY));
		}
		CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(WAIT_SECONDS, TimeUnit.SECONDS);
		long futuresNanos = System.nanoTime() - started;
		long accepted = 0;
		for (Future<Long> stream : streams) {
			accepted += stream.get(WAIT_SECONDS, TimeUnit.SECONDS);
		}
		long dropped = 0;
		for (CompletableFuture<CloseResult> result : closing) {
			check(!result.get().drainTimedOut(), "scale run: drain timed out: %s", result.get());
			dropped += result.get().dropped();
		}
		Map<String, String> result = ClientsProcess.fields(clients.expectLine("RESULT"));
		long received = Long.parseLong(result.get("received"));
		check(result.get("codes").equals("1001:" + count), "scale run: close codes %s, expected 1001:%d",
				result.get("codes"), count);
		check(dropped == 0 && received == accepted,
				"scale run: %,d messages accepted, %,d received, %,d reported dropped", accepted, received, dropped);
		long closeAllNanos = Long.parseLong(result.get("lastCloseNanos")) - started;
		return new ScaleRun(heapPerSession, closeAllNanos, futuresNanos, received, threads.getPeakThreadCount());
	}

	/** Send to each session in turn until every one refuses; return the messages accepted. */
	private static long stream(List<DrainingWebSocketSession> sessions, ByteBuffer payload) throws Exception {
		boolean[] refused = new boolean[sessions.size()];
		int open = sessions.size();
		long accepted = 0;
		while (open > 0) {
			for (int i = 0; i < refused.length; i++) {
				if (refused[i]) {
					continue;
				}
				try {
					sessions.get(i).sendMessage(new BinaryMessage(payload.duplicate()));
					accepted++;
				}
				catch (SessionClosingException ex) {
					refused[i] = true;
					open--;
				}
			}
		}
		return accepted;
	}

	private URI uri(String path) {
		return this.bench.uri(path);
	}

}

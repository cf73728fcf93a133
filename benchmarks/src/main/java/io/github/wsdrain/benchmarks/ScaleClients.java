package io.github.wsdrain.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The clients of the scale and close-barrier runs, in a JVM of their own: 10,000
 * connections need 20,000 sockets, more than one process may open here. For each line
 * {@code <uri> <count>} on its standard input, one run: opens N WebSocket connections on
 * {@link #LOOPS} non-blocking {@link ClientLoop}s, so that the clients read as fast as the
 * server writes, whatever N; prints {@code CONNECTED n}, counts every message until every
 * connection has closed, then prints {@code RESULT received=… lastCloseNanos=… codes=…}.
 * Ends at the end of its input, or after a run that failed. Both JVMs read the same
 * monotonic clock ({@code System.nanoTime()} is {@code CLOCK_MONOTONIC} on Linux).
 */
public final class ScaleClients {

	/** Selector threads: one per core of the machine the benchmark was made for. */
	private static final int LOOPS = 2;

	/** Handshakes in flight over all loops: fewer than Tomcat's accept backlog (100). */
	private static final int HANDSHAKES_IN_FLIGHT = 64;

	private static final long WAIT_SECONDS = 300;

	private ScaleClients() {
	}

	public static void main(String[] args) throws Exception {
		BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
		String command;
		while ((command = commands.readLine()) != null) {
			String[] uriAndCount = command.split(" ");
			int status = run(URI.create(uriAndCount[0]), Integer.parseInt(uriAndCount[1]));
			if (status != 0) {
				System.exit(status);
			}
		}
		System.exit(0);
	}

	private static int run(URI uri, int count) throws Exception {
		CountDownLatch closed = new CountDownLatch(count);
		List<ClientLoop> loops = new ArrayList<>(LOOPS);
		List<Thread> threads = new ArrayList<>(LOOPS);
		for (int i = 0; i < LOOPS; i++) {
			ClientLoop loop = new ClientLoop(uri, count * (i + 1) / LOOPS - count * i / LOOPS,
					HANDSHAKES_IN_FLIGHT / LOOPS, closed);
			Thread thread = new Thread(loop, "scale-clients-" + i);
			thread.start();
			loops.add(loop);
			threads.add(thread);
		}
		try {
			CompletableFuture.allOf(loops.stream().map(ClientLoop::connected).toArray(CompletableFuture[]::new))
				.get(WAIT_SECONDS, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			System.out.println("ERROR connecting: " + ex);
			return 2;
		}
		System.out.println("CONNECTED " + count);
		System.out.flush();
		if (!closed.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
			System.out.println("ERROR only " + (count - closed.getCount()) + " of " + count + " closed");
			return 3;
		}
		long received = 0;
		long lastCloseNanos = 0;
		Map<Integer, Integer> closeCodes = new TreeMap<>();
		for (int i = 0; i < LOOPS; i++) {
			// Each loop ends once the server has closed its connections; its counts are read after.
			threads.get(i).join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
			if (threads.get(i).isAlive()) {
				System.out.println("ERROR the server left connections open after their close");
				return 4;
			}
			received += loops.get(i).messages();
			lastCloseNanos = Math.max(lastCloseNanos, loops.get(i).lastCloseNanos());
			loops.get(i).closeCodes().forEach((code, n) -> closeCodes.merge(code, n, Integer::sum));
		}
		StringBuilder codes = new StringBuilder();
		closeCodes.forEach((code, n) -> codes.append(codes.isEmpty() ? "" : ",").append(code).append(':').append(n));
		System.out.println("RESULT received=" + received + " lastCloseNanos=" + lastCloseNanos + " codes=" + codes);
		System.out.flush();
		return 0;
	}

}

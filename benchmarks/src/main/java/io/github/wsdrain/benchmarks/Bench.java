package io.github.wsdrain.benchmarks;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.wsdrain.session.DrainingWebSocketSession;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;

/**
 * What every cell shares: sizes, the longest wait, checks that fail the run, waiting,
 * payloads and the log.
 */
final class Bench {

	static final int KB = 1024;

	static final int MB = 1024 * 1024;

	/** Throughput-like runs are short and many: pairs of short runs see the same load of a shared machine. */
	static final int THROUGHPUT_RUNS_FACTOR = 3;

	/** Longest wait for anything in a run; a run that needs longer has failed. */
	static final long WAIT_SECONDS = 120;

	private Bench() {
	}

	/** Wall time of a run, and the CPU time the whole process used in it (server, client, GC). */
	record Timing(long wallNanos, long cpuNanos) {

	}

	static long processCpuNanos() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
	}

	static void closeAndAwait(WebSocketSession session, CompletableFuture<ReceivingClient.Close> closed,
			CloseStatus status) throws Exception {
		if (session instanceof DrainingWebSocketSession draining) {
			await(draining.closeAsync(status), "the close of a draining session");
		}
		else {
			session.close(status);
		}
		ReceivingClient.Close close = await(closed, "the close frame");
		check(close.code() == status.getCode(), "close code %d, expected %d", close.code(), status.getCode());
	}

	static DrainingWebSocketSession requireDraining(WebSocketSession session) {
		if (session instanceof DrainingWebSocketSession draining) {
			return draining;
		}
		throw new IllegalStateException("Expected a draining session from the auto-configuration, got " + session);
	}

	static byte[] filler(int size) {
		byte[] bytes = new byte[size];
		Arrays.fill(bytes, (byte) '.');
		return bytes;
	}

	static <T> T await(CompletableFuture<T> future, String what) throws Exception {
		try {
			return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException("Timed out after " + WAIT_SECONDS + " s waiting for " + what, ex);
		}
	}

	static void awaitAll(List<Future<?>> futures) throws Exception {
		for (Future<?> future : futures) {
			future.get(WAIT_SECONDS, TimeUnit.SECONDS);
		}
	}

	static void check(boolean condition, String format, Object... args) {
		if (!condition) {
			throw new IllegalStateException(String.format(Locale.ROOT, format, args));
		}
	}

	static String bytes(long bytes) {
		return (bytes >= MB) ? (bytes / MB) + " MB" : (bytes >= KB) ? (bytes / KB) + " KB" : bytes + " B";
	}

	static void log(String format, Object... args) {
		System.out.printf(Locale.ROOT, "[%s] %s%n", Instant.now().toString().substring(11, 19),
				String.format(Locale.ROOT, format, args));
	}

}

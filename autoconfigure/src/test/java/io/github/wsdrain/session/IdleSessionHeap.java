package io.github.wsdrain.session;

import io.github.wsdrain.server.DrainingSessionRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * Not a test: measures the heap a registered, idle draining session adds to its container
 * session. Run with the test class path:
 * {@code java -cp ... io.github.wsdrain.session.IdleSessionHeap [sessions]}. It prints the
 * retained bytes per session after a full GC; numbers for the docs and benchmarks, never
 * an assertion.
 */
public final class IdleSessionHeap {

	private IdleSessionHeap() {
	}

	public static void main(String[] args) throws Exception {
		int count = (args.length > 0) ? Integer.parseInt(args[0]) : 20_000;
		DrainingSessionRegistry registry = new DrainingSessionRegistry(DrainSettings.DEFAULTS, List.of());
		for (int round = 0; round < 3; round++) {
			List<StubWebSocketSession> stubs = new ArrayList<>(count);
			for (int i = 0; i < count; i++) {
				stubs.add(StubWebSocketSession.open("s" + i));
			}
			long before = usedAfterGc();
			List<DrainingWebSocketSession> sessions = new ArrayList<>(count);
			for (StubWebSocketSession stub : stubs) {
				sessions.add(registry.drainingSession(stub));
			}
			long after = usedAfterGc();
			System.out.printf("round %d: %d sessions, %d bytes each%n", round, sessions.size(),
					(after - before) / count);
			sessions.forEach((session) -> session.connectionClosed(org.springframework.web.socket.CloseStatus.NORMAL));
			sessions.clear();
			stubs.clear();
		}
		registry.destroy();
	}

	/** The least heap in use after each of five full collections: an explicit GC returns once it is done. */
	private static long usedAfterGc() {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		long used = Long.MAX_VALUE;
		for (int i = 0; i < 5; i++) {
			System.gc();
			used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
		}
		return used;
	}

}

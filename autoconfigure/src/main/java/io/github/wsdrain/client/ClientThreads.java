package io.github.wsdrain.client;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ConcurrentTaskScheduler;

/**
 * Daemon threads shared by every reliable connection: one timer for acknowledgements and
 * back-off, and a pool for what may block (opening a connection, writing a replay), so
 * that neither a container's reading thread nor the timer is ever held.
 */
final class ClientThreads {

	static final ScheduledExecutorService TIMER = timer();

	static final TaskScheduler SCHEDULER = new ConcurrentTaskScheduler(TIMER);

	static final ExecutorService WORKERS = Executors.newCachedThreadPool(daemon("wsdrain-client-"));

	private ClientThreads() {
	}

	private static ScheduledExecutorService timer() {
		ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemon("wsdrain-client-timer-"));
		timer.setRemoveOnCancelPolicy(true);
		return timer;
	}

	private static java.util.concurrent.ThreadFactory daemon(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (task) -> {
			Thread thread = new Thread(task, prefix + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

}

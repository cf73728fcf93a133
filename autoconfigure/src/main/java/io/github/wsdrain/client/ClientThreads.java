package io.github.wsdrain.client;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.util.Assert;

/**
 * The threads of one {@link BufferedWebSocketClient}: a scheduler for acknowledgements,
 * reconnects and writes that may block, given to the client or created on first use,
 * and stopped when the client closes.
 */
final class ClientThreads {

	private static final Log logger = LogFactory.getLog(ClientThreads.class);

	private final Object lock = new Object();

	private @Nullable TaskScheduler scheduler;

	private boolean closed;

	void set(TaskScheduler scheduler) {
		synchronized (this.lock) {
			Assert.state(!this.closed, "The client is closed");
			this.scheduler = scheduler;
		}
	}

	/**
	 * Return the scheduler, creating the default one ({@link ClientTaskScheduler#create()}):
	 * not a bean, so nothing else closes it.
	 * @throws IllegalStateException once closed
	 */
	TaskScheduler scheduler() {
		synchronized (this.lock) {
			Assert.state(!this.closed, "The client is closed: no connection can be opened");
			if (this.scheduler == null) {
				this.scheduler = ClientTaskScheduler.create();
			}
			return this.scheduler;
		}
	}

	/** Run tasks now, on the scheduler's threads. */
	static Executor executor(TaskScheduler scheduler) {
		return (scheduler instanceof Executor direct) ? direct : (task) -> scheduler.schedule(task, Instant.now());
	}

	/**
	 * Stop: no scheduler is handed out from now on; the tasks run first, on the
	 * scheduler's threads if there is one, then the scheduler stops.
	 * @param lastTasks what to do before the threads stop (closing the connections)
	 * @return {@code false} if already closed
	 */
	boolean close(Iterable<Runnable> lastTasks) {
		TaskScheduler stopping;
		synchronized (this.lock) {
			if (this.closed) {
				return false;
			}
			this.closed = true;
			stopping = this.scheduler;
		}
		Executor executor = (stopping != null) ? executor(stopping) : Runnable::run;
		List<CompletableFuture<Void>> running = new ArrayList<>();
		lastTasks.forEach((task) -> running.add(CompletableFuture.runAsync(task, executor)
			.exceptionally((ex) -> {
				// One connection failing to close must not keep the others or the threads alive.
				logger.debug("A connection failed to close with its client", ex);
				return null;
			})));
		CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).join();
		if (stopping instanceof AutoCloseable closeable) {
			try {
				closeable.close();
			}
			catch (Exception ex) {
				throw new IllegalStateException("Could not stop the client's task scheduler", ex);
			}
		}
		return true;
	}

}

package io.github.wsdrain.client;

import java.time.Duration;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.concurrent.SimpleAsyncTaskScheduler;

/**
 * A {@link SimpleAsyncTaskScheduler} for a {@link BufferedWebSocketClient} whose platform
 * threads outlive their task. Like its superclass, a task that finds no thread idle gets a
 * new one (a task blocked on a slow peer never holds another back), but a thread waits
 * {@link #IDLE_THREAD_KEEP_ALIVE} for its next task before it ends: a reliable connection
 * acknowledges up to 500 times a second, and a new thread for each costs more than the
 * write. With virtual threads, which cost little to start, it behaves as its superclass.
 * Closing it ends its threads.
 */
public class ClientTaskScheduler extends SimpleAsyncTaskScheduler {

	/** How long a thread waits for its next task before it ends. */
	static final Duration IDLE_THREAD_KEEP_ALIVE = Duration.ofSeconds(30);

	private boolean virtualThreads;

	private @Nullable ThreadPoolExecutor idleThreads;

	@Override
	public void setVirtualThreads(boolean virtual) {
		super.setVirtualThreads(virtual);
		this.virtualThreads = virtual;
	}

	/**
	 * Keep platform threads for {@link #IDLE_THREAD_KEEP_ALIVE} after their task: call it
	 * once the scheduler is configured. Does nothing with virtual threads, or when called again.
	 */
	public void reuseThreads() {
		if (this.virtualThreads || this.idleThreads != null) {
			return;
		}
		ThreadPoolExecutor threads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_THREAD_KEEP_ALIVE.toNanos(),
				TimeUnit.NANOSECONDS, new SynchronousQueue<>(), this::createThread);
		setTargetTaskExecutor(threads);
		this.idleThreads = threads;
	}

	@Override
	public void close() {
		super.close();
		ThreadPoolExecutor threads = this.idleThreads;
		if (threads != null) {
			threads.shutdown();
		}
	}

}

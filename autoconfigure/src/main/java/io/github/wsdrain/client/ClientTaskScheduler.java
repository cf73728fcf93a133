package io.github.wsdrain.client;

import java.time.Duration;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.concurrent.SimpleAsyncTaskScheduler;

/**
 * A {@link SimpleAsyncTaskScheduler} for a {@link BufferedWebSocketClient} whose platform
 * threads outlive their task. Like its superclass, a task that finds no thread idle gets a
 * new one (a task blocked on a slow peer never holds another back), but a thread waits
 * {@link #IDLE_THREAD_KEEP_ALIVE} for its next task before it ends: a reliable connection
 * acknowledges up to 500 times a second, and a new thread for each costs more than the
 * write. With virtual threads, which cost little to start, it behaves as its superclass.
 * Closing it ends its threads. Made by {@link #create}.
 */
public final class ClientTaskScheduler extends SimpleAsyncTaskScheduler {

	/** How long a thread waits for its next task before it ends. */
	static final Duration IDLE_THREAD_KEEP_ALIVE = Duration.ofSeconds(30);

	private static final String THREAD_NAME_PREFIX = "wsdrain-client-";

	private boolean virtualThreads;

	private @Nullable ThreadPoolExecutor idleThreads;

	private ClientTaskScheduler() {
	}

	/**
	 * Create the scheduler of a client, as {@link #create(Consumer)} does, with no other settings.
	 * @return the scheduler
	 */
	public static ClientTaskScheduler create() {
		return create((scheduler) -> {
		});
	}

	/**
	 * Create the scheduler of a client: threads named {@code wsdrain-client-}, daemon
	 * threads (those of a client the application forgot to close must not keep the JVM
	 * alive), platform threads kept between tasks.
	 * @param settings applied before those: the application's scheduling settings, for
	 * instance, virtual threads included
	 * @return the scheduler
	 */
	public static ClientTaskScheduler create(Consumer<? super ClientTaskScheduler> settings) {
		ClientTaskScheduler scheduler = new ClientTaskScheduler();
		settings.accept(scheduler);
		scheduler.setThreadNamePrefix(THREAD_NAME_PREFIX);
		scheduler.setDaemon(true);
		scheduler.reuseThreads();
		return scheduler;
	}

	@Override
	public void setVirtualThreads(boolean virtual) {
		super.setVirtualThreads(virtual);
		this.virtualThreads = virtual;
	}

	/**
	 * Keep platform threads for {@link #IDLE_THREAD_KEEP_ALIVE} after their task, once the
	 * scheduler is configured; virtual threads stay as they are.
	 */
	private void reuseThreads() {
		if (this.virtualThreads) {
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

package io.github.wsdrain.server;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.LongAdder;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.github.wsdrain.support.RateLimitedLog;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.task.VirtualThreadTaskExecutor;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * The threads of the server side: one timer thread, which only fires timeouts and the
 * write watchdog, and a bounded executor for drains, close frames, acknowledgements and
 * shutdown callbacks, which may wait on peers and applications, each no longer than the
 * send time limit or the drain timeout. Virtual threads when enabled, else platform
 * threads that go away when idle. Owned by the bean that creates it and stopped with it.
 * <p>
 * The executor runs at most {@code maxThreads} tasks at once and holds at most
 * {@code maxQueuedTasks} more; past that the thread that submits a task runs it itself
 * (counted, and logged at most once per interval): a task is never dropped while the
 * threads run. Once stopped, they refuse new tasks.
 * <p>
 * Neither is a bean of its own on purpose: Spring pauses scheduler beans in the default
 * lifecycle phase and shuts them down when the context starts to close, before the
 * graceful shutdown drains the sessions.
 */
public final class ServerThreads implements DisposableBean, AutoCloseable {

	/** The executor's threads unless told otherwise. */
	public static final int DEFAULT_MAX_THREADS = 256;

	/** The tasks the executor holds unless told otherwise. */
	public static final int DEFAULT_MAX_QUEUED_TASKS = 10_000;

	private static final Log logger = LogFactory.getLog(ServerThreads.class);

	/** How long an idle executor thread waits for work before it ends. */
	private static final Duration KEEP_ALIVE = Duration.ofSeconds(30);

	private final ThreadPoolTaskScheduler timer;

	private final IdleFirstThreadPool executor;

	private final LongAdder callerRuns = new LongAdder();

	private final RateLimitedLog saturationWarnings = new RateLimitedLog(logger, Duration.ofSeconds(5));

	/**
	 * Create the threads, platform threads for tasks, with the default bounds.
	 */
	public ServerThreads() {
		this(false, DEFAULT_MAX_THREADS, DEFAULT_MAX_QUEUED_TASKS);
	}

	/**
	 * Create the threads with the default bounds.
	 * @param virtualThreads whether tasks run on virtual threads (Java 21 and later)
	 */
	public ServerThreads(boolean virtualThreads) {
		this(virtualThreads, DEFAULT_MAX_THREADS, DEFAULT_MAX_QUEUED_TASKS);
	}

	/**
	 * Create the threads.
	 * @param virtualThreads whether tasks run on virtual threads (Java 21 and later)
	 * @param maxThreads the most tasks the executor runs at once
	 * @param maxQueuedTasks the most tasks waiting for a thread
	 */
	public ServerThreads(boolean virtualThreads, int maxThreads, int maxQueuedTasks) {
		this.timer = new ThreadPoolTaskScheduler();
		this.timer.setPoolSize(1);
		this.timer.setThreadNamePrefix("wsdrain-timer-");
		this.timer.setDaemon(true);
		// Drain watchdogs are cancelled far more often than they fire.
		this.timer.setRemoveOnCancelPolicy(true);
		this.timer.initialize();
		ThreadFactory threads = virtualThreads
				? new VirtualThreadTaskExecutor("wsdrain-server-").getVirtualThreadFactory() : daemonThreads();
		// A thread exists only while there is work, and an idle one takes the next task.
		this.executor = new IdleFirstThreadPool(maxThreads, maxQueuedTasks, KEEP_ALIVE, threads,
				(task) -> runOnCaller(task, maxThreads, maxQueuedTasks));
	}

	/**
	 * Return the timer: tasks scheduled on it must not block.
	 * @return the timer
	 */
	public ScheduledExecutorService timer() {
		return this.timer.getScheduledExecutor();
	}

	/**
	 * Return the executor, bounded in threads and waiting tasks.
	 * @return the executor
	 */
	public Executor executor() {
		return this.executor;
	}

	/**
	 * Return how many tasks the executor's submitters ran themselves because its threads
	 * and queue were full, since start.
	 * @return the count
	 */
	public long getCallerRunTasks() {
		return this.callerRuns.sum();
	}

	/**
	 * Stop the timer and refuse new tasks; running tasks finish on their own.
	 */
	@Override
	public void destroy() {
		close();
	}

	@Override
	public void close() {
		this.timer.shutdown();
		this.executor.shutdown();
	}

	/** Full: the submitter runs the task, so that nothing accepted is dropped. */
	private void runOnCaller(Runnable task, int maxThreads, int maxQueuedTasks) {
		this.callerRuns.increment();
		this.saturationWarnings.warn(() -> "wsdrain server executor full (" + maxThreads + " threads, "
				+ maxQueuedTasks + " queued tasks): " + Thread.currentThread().getName()
				+ " runs the task itself; " + this.callerRuns.sum()
				+ " such task(s) so far (see wsdrain.server.max-threads)");
		task.run();
	}

	private static ThreadFactory daemonThreads() {
		CustomizableThreadFactory threads = new CustomizableThreadFactory("wsdrain-server-");
		threads.setDaemon(true);
		return threads;
	}

}

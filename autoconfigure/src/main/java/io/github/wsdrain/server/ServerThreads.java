package io.github.wsdrain.server;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * The threads of the server side: one timer thread, which only fires timeouts, and an
 * executor with a thread for every task at once, for drains, close frames,
 * acknowledgements and shutdown callbacks, which block on peers and applications: a
 * virtual thread per task when enabled, else a pool of platform threads that go away when
 * idle. Owned by the bean that creates it and stopped with it.
 * <p>
 * Neither is a bean of its own on purpose: Spring pauses scheduler beans in the default
 * lifecycle phase and shuts them down when the context starts to close, before the
 * graceful shutdown drains the sessions.
 */
public final class ServerThreads implements DisposableBean, AutoCloseable {

	private final ThreadPoolTaskScheduler timer;

	private final AsyncTaskExecutor executor;

	/**
	 * Create the threads, platform threads for tasks.
	 */
	public ServerThreads() {
		this(false);
	}

	/**
	 * Create the threads.
	 * @param virtualThreads whether tasks run on virtual threads (Java 21 and later)
	 */
	public ServerThreads(boolean virtualThreads) {
		this.timer = new ThreadPoolTaskScheduler();
		this.timer.setPoolSize(1);
		this.timer.setThreadNamePrefix("wsdrain-timer-");
		this.timer.setDaemon(true);
		// Drain watchdogs are cancelled far more often than they fire.
		this.timer.setRemoveOnCancelPolicy(true);
		this.timer.initialize();
		this.executor = virtualThreads ? virtualThreadPerTask() : platformThreadPool();
	}

	private static AsyncTaskExecutor virtualThreadPerTask() {
		SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("wsdrain-server-");
		executor.setVirtualThreads(true);
		return executor;
	}

	/** No queue and no bound: a task never waits for another, which may block on a peer. */
	private static AsyncTaskExecutor platformThreadPool() {
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		executor.setCorePoolSize(0);
		executor.setMaxPoolSize(Integer.MAX_VALUE);
		executor.setQueueCapacity(0);
		executor.setKeepAliveSeconds(30);
		executor.setThreadNamePrefix("wsdrain-server-");
		executor.setDaemon(true);
		// Stopping refuses new tasks; running drains finish on their own.
		executor.setWaitForTasksToCompleteOnShutdown(true);
		executor.initialize();
		return executor;
	}

	/**
	 * Return the timer: tasks scheduled on it must not block.
	 * @return the timer
	 */
	public ScheduledExecutorService timer() {
		return this.timer.getScheduledExecutor();
	}

	/**
	 * Return the executor, a thread for every task at once.
	 * @return the executor
	 */
	public Executor executor() {
		return this.executor;
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
		if (this.executor instanceof ThreadPoolTaskExecutor pool) {
			pool.shutdown();
		}
		else if (this.executor instanceof SimpleAsyncTaskExecutor perTask) {
			perTask.close();
		}
	}

}

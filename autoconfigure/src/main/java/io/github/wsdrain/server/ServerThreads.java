package io.github.wsdrain.server;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * The threads of the server side: one timer thread, which only fires timeouts, and a
 * thread per task for drains, close frames and shutdown callbacks, which block on peers
 * and applications (virtual threads when enabled). Owned by the bean that creates it and
 * stopped with it.
 * <p>
 * Neither is a bean of its own on purpose: Spring pauses scheduler beans in the default
 * lifecycle phase and shuts them down when the context starts to close, before the
 * graceful shutdown drains the sessions.
 */
public final class ServerThreads implements DisposableBean, AutoCloseable {

	private final ThreadPoolTaskScheduler timer;

	private final SimpleAsyncTaskExecutor executor;

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
		this.executor = new SimpleAsyncTaskExecutor("wsdrain-");
		this.executor.setDaemon(true);
		this.executor.setVirtualThreads(virtualThreads);
	}

	/**
	 * Return the timer: tasks scheduled on it must not block.
	 * @return the timer
	 */
	public ScheduledExecutorService timer() {
		return this.timer.getScheduledExecutor();
	}

	/**
	 * Return the executor, a thread for every task.
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
		this.executor.close();
	}

}

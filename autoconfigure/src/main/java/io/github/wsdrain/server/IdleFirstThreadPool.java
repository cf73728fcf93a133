package io.github.wsdrain.server;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A thread pool that gives a task to an idle thread when it has one, starts a thread when
 * every thread is busy, up to its maximum, then queues, and past a full queue hands the
 * task to a callback. Threads end after a keep-alive without work.
 * <p>
 * A plain {@link ThreadPoolExecutor} starts a thread for every task until it has its core
 * size, whether or not a thread is idle, or, with a bounded queue, grows past the core
 * size only once the queue is full. Starting a thread takes a millisecond and more on a
 * small virtual machine, on the submitter's thread: closing an idle session waited for it.
 * <p>
 * As in Tomcat's task queue, a thread that is ending at its keep-alive still counts as
 * idle for a moment: a task queued then waits for the next thread to finish or start.
 */
final class IdleFirstThreadPool extends ThreadPoolExecutor {

	/** Tasks submitted and not finished: queued or running. */
	private final AtomicInteger unfinished = new AtomicInteger();

	private final TaskQueue tasks;

	private final Consumer<Runnable> whenFull;

	/**
	 * Create the pool.
	 * @param maxThreads the most tasks running at once
	 * @param maxQueuedTasks the most tasks waiting for a thread
	 * @param keepAlive how long an idle thread waits for work before it ends
	 * @param threads makes the threads
	 * @param whenFull takes a task that found every thread busy and the queue full
	 */
	IdleFirstThreadPool(int maxThreads, int maxQueuedTasks, Duration keepAlive, ThreadFactory threads,
			Consumer<Runnable> whenFull) {
		super(0, maxThreads, keepAlive.toNanos(), TimeUnit.NANOSECONDS, new TaskQueue(maxQueuedTasks), threads,
				new AbortPolicy());
		this.tasks = (TaskQueue) getQueue();
		this.tasks.pool = this;
		this.whenFull = whenFull;
	}

	@Override
	public void execute(Runnable task) {
		this.unfinished.incrementAndGet();
		try {
			super.execute(task);
		}
		catch (RejectedExecutionException ex) {
			// Either stopped, or it found no idle thread and the last thread slot taken meanwhile.
			if (!isShutdown() && this.tasks.queue(task)) {
				// Stopped meanwhile, its threads may have left the queue behind: as the pool's own check.
				if (!isShutdown() || !remove(task)) {
					return;
				}
			}
			this.unfinished.decrementAndGet();
			if (isShutdown()) {
				throw new RejectedExecutionException("wsdrain server threads are stopped", ex);
			}
			this.whenFull.accept(task);
		}
	}

	@Override
	protected void afterExecute(Runnable task, Throwable ex) {
		this.unfinished.decrementAndGet();
	}

	/**
	 * Queues a task only when a thread is idle to take it, or no more threads may start:
	 * otherwise its refusal makes the pool start one.
	 */
	private static final class TaskQueue extends LinkedBlockingQueue<Runnable> {

		private IdleFirstThreadPool pool;

		TaskQueue(int capacity) {
			super(capacity);
		}

		@Override
		public boolean offer(Runnable task) {
			// Read once: the pool's size takes its main lock. More tasks unfinished, this one
			// included, than threads: none is idle.
			int threads = this.pool.getPoolSize();
			if (this.pool.unfinished.get() > threads && threads < this.pool.getMaximumPoolSize()) {
				return false;
			}
			return super.offer(task);
		}

		/** Queue whatever the threads are doing: no thread could be started for it. */
		boolean queue(Runnable task) {
			return super.offer(task);
		}

	}

}

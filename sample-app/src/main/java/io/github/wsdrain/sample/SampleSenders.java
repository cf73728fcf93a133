package io.github.wsdrain.sample;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.web.socket.CloseStatus;

/**
 * The threads that send for the sample's handlers: at most {@value #MAX_THREADS}, shared
 * by every connection. A client that stops reading holds its senders for at most
 * {@code wsdrain.server.send-time-limit} (its session then closes with 1011). Work that
 * finds no free sender is refused rather than queued behind a stalled client: a burst
 * or an unpaced feed closes with 1013, a stream or paced feed skips that tick. So a
 * stalled client slows only itself, and no connection can add threads.
 */
class SampleSenders implements DisposableBean {

	static final int MAX_THREADS = 64;

	static final CloseStatus BUSY = CloseStatus.SERVICE_OVERLOAD.withReason("No free sender, try again later");

	private final Semaphore free = new Semaphore(MAX_THREADS);

	private final ThreadPoolExecutor threads;

	SampleSenders() {
		// Never more tasks than threads: the semaphore admits at most MAX_THREADS at once.
		this.threads = new ThreadPoolExecutor(MAX_THREADS, MAX_THREADS, 30, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(), new CustomizableThreadFactory("sample-sender-"));
		this.threads.allowCoreThreadTimeOut(true);
	}

	/**
	 * Run every task on its own sender if that many are free now, else run none.
	 * @param tasks the tasks
	 * @return whether they were started
	 */
	boolean tryRun(List<Runnable> tasks) {
		if (!this.free.tryAcquire(tasks.size())) {
			return false;
		}
		for (Runnable task : tasks) {
			this.threads.execute(() -> {
				try {
					task.run();
				}
				finally {
					this.free.release();
				}
			});
		}
		return true;
	}

	/**
	 * Run the task on a sender if one is free now.
	 * @param task the task
	 * @return whether it was started
	 */
	boolean tryRun(Runnable task) {
		return tryRun(List.of(task));
	}

	/**
	 * Return how many senders are at work.
	 * @return the busy sender count
	 */
	int busy() {
		return MAX_THREADS - this.free.availablePermits();
	}

	/**
	 * Return how many sender threads exist.
	 * @return the thread count, at most {@value #MAX_THREADS}
	 */
	int threads() {
		return this.threads.getPoolSize();
	}

	@Override
	public void destroy() {
		this.threads.shutdownNow();
	}

}

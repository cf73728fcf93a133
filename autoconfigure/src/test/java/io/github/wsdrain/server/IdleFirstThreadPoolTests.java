package io.github.wsdrain.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link IdleFirstThreadPool}.
 */
class IdleFirstThreadPoolTests {

	private final List<Runnable> ranWhenFull = new ArrayList<>();

	private IdleFirstThreadPool pool;

	@AfterEach
	void stop() {
		if (this.pool != null) {
			this.pool.shutdownNow();
		}
	}

	@Test
	void anIdleThreadTakesTheNextTaskInsteadOfANewThreadStarting() throws Exception {
		this.pool = pool(8, 10);
		Set<Thread> threads = new HashSet<>();
		for (int i = 0; i < 20; i++) {
			CompletableFuture<Thread> ran = new CompletableFuture<>();
			this.pool.execute(() -> ran.complete(Thread.currentThread()));
			threads.add(ran.get(10, TimeUnit.SECONDS));
			// Idle once the pool has finished with the task, not only the task with itself.
			await().atMost(Duration.ofSeconds(10)).until(() -> this.pool.getActiveCount() == 0);
		}
		assertThat(threads).as("20 tasks one after another").hasSize(1);
		assertThat(this.pool.getLargestPoolSize()).isOne();
	}

	@Test
	void busyThreadsMakeItStartMoreUpToTheMaximumThenQueueThenHandTheTaskOver() throws Exception {
		this.pool = pool(2, 1);
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch running = new CountDownLatch(2);
		for (int i = 0; i < 2; i++) {
			this.pool.execute(() -> {
				running.countDown();
				awaitQuietly(release);
			});
		}
		assertThat(running.await(10, TimeUnit.SECONDS)).as("both ran at once, each on a thread of its own").isTrue();
		CompletableFuture<Thread> queued = new CompletableFuture<>();
		this.pool.execute(() -> queued.complete(Thread.currentThread()));
		assertThat(this.pool.getQueue()).hasSize(1);
		Runnable third = () -> {
		};
		this.pool.execute(third);
		assertThat(this.ranWhenFull).containsExactly(third);
		release.countDown();
		assertThat(queued.get(10, TimeUnit.SECONDS).getName()).startsWith("test-pool-");
		assertThat(this.pool.getLargestPoolSize()).isEqualTo(2);
	}

	@Test
	void onceStoppedItRefusesTasks() {
		this.pool = pool(2, 1);
		this.pool.shutdown();
		assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> this.pool.execute(() -> {
		})).withMessage("wsdrain server threads are stopped");
		assertThat(this.ranWhenFull).isEmpty();
	}

	private IdleFirstThreadPool pool(int maxThreads, int maxQueuedTasks) {
		CustomizableThreadFactory threads = new CustomizableThreadFactory("test-pool-");
		threads.setDaemon(true);
		return new IdleFirstThreadPool(maxThreads, maxQueuedTasks, Duration.ofSeconds(30), threads,
				this.ranWhenFull::add);
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}

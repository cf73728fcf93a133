package io.github.wsdrain.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client's default threads: a task that finds a thread idle runs on it instead of
 * starting one, a blocked task holds no other back, and closing ends them.
 */
class ClientThreadsTests {

	private final ClientThreads threads = new ClientThreads();

	private final Executor executor = ClientThreads.executor(this.threads.scheduler());

	@AfterEach
	void close() {
		this.threads.close(List.of());
	}

	@Test
	void when20TasksRunOneAfterAnotherThenTheyShareOneDaemonThread() throws Exception {
		Thread first = runOnce();
		for (int i = 0; i < 19; i++) {
			awaitIdle(first);
			assertThat(runOnce()).as("task %d", i + 2).isSameAs(first);
		}
		assertThat(first.isDaemon()).isTrue();
		assertThat(first.getName()).startsWith("wsdrain-client-");
	}

	@Test
	void whenATaskBlocksThenTheNextRunsOnAnotherThreadAtOnce() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		CompletableFuture<Thread> blocked = CompletableFuture.supplyAsync(() -> {
			await(release);
			return Thread.currentThread();
		}, this.executor);
		try {
			Thread next = runOnce();
			assertThat(blocked).isNotDone();
			release.countDown();
			assertThat(blocked.get(10, TimeUnit.SECONDS)).isNotSameAs(next);
		}
		finally {
			release.countDown();
		}
	}

	@Test
	void whenTheClientClosesThenItsIdleThreadEnds() throws Exception {
		Thread worker = runOnce();
		this.threads.close(List.of());
		worker.join(Duration.ofSeconds(10).toMillis());
		assertThat(worker.isAlive()).isFalse();
	}

	private Thread runOnce() throws Exception {
		return CompletableFuture.supplyAsync(Thread::currentThread, this.executor).get(10, TimeUnit.SECONDS);
	}

	/** Back waiting for its next task: a task given before that would find no thread idle. */
	private static void awaitIdle(Thread worker) {
		Awaitility.await()
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(2))
			.atMost(Duration.ofSeconds(10))
			.until(() -> worker.getState() == Thread.State.TIMED_WAITING);
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}

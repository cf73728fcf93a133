package io.github.wsdrain.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The writer of close barrier Pings: a lone close writes on the closing thread, a burst of
 * closes leaves its Pings to one thread, a Ping stuck on its peer does not hold the others.
 */
class BarrierPingsTests {

	private final ExecutorService threads = Executors.newCachedThreadPool();

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

	@AfterEach
	void stop() {
		this.threads.shutdownNow();
		this.timer.shutdownNow();
	}

	@Test
	void aLoneCloseWritesItsPingOnTheClosingThread() {
		Queue<Runnable> handedOff = new ConcurrentLinkedQueue<>();
		BarrierPings pings = new BarrierPings(handedOff::add, this.timer);
		List<Thread> writers = new ArrayList<>();
		pings.write(() -> writers.add(Thread.currentThread()));
		assertThat(writers).containsExactly(Thread.currentThread());
		assertThat(handedOff).isEmpty();
	}

	@Test
	void aBurstOf1000ClosesWritesTheFirstPingOnTheClosingThreadAndTheRestInOrderOnAnother() throws Exception {
		Queue<Runnable> handedOff = new ConcurrentLinkedQueue<>();
		BarrierPings pings = new BarrierPings(handedOff::add, this.timer);
		List<Integer> written = new CopyOnWriteArrayList<>();
		List<Thread> writers = new CopyOnWriteArrayList<>();
		long started = System.nanoTime();
		for (int i = 0; i < 1_000; i++) {
			int ping = i;
			pings.write(() -> {
				written.add(ping);
				writers.add(Thread.currentThread());
			});
		}
		long loopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
		// The first, and any the closing thread wrote before the burst showed (were it held
		// up past the burst gap between two closes), went out on the closing thread.
		int inline = written.size();
		assertThat(written).as("written on the closing thread").startsWith(0).hasSizeLessThan(1_000).isSorted();
		assertThat(writers).containsOnly(Thread.currentThread());
		// No writer ran during the loop: one more may start per 50 ms without progress.
		assertThat(handedOff).isNotEmpty()
			.hasSizeLessThanOrEqualTo((int) (2 + loopMillis / TimeUnit.NANOSECONDS.toMillis(BarrierPings.STALL_NANOS)));
		Thread writer = new Thread(() -> handedOff.forEach(Runnable::run));
		writer.start();
		writer.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(written).hasSize(1_000).isSorted();
		assertThat(writers.subList(inline, writers.size())).containsOnly(writer);
	}

	@Test
	void aPingStuckOnItsPeerDoesNotHoldThe100PingsQueuedBehindItWithoutAnotherClose() throws Exception {
		BarrierPings pings = new BarrierPings(this.threads, this.timer);
		CountDownLatch stuckStarted = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch laterWritten = new CountDownLatch(100);
		Thread closingThread = Thread.currentThread();
		AtomicBoolean stuck = new AtomicBoolean();
		// Closes in a loop until one Ping went to a writer thread: that one sticks.
		Runnable stickOnWriterThread = () -> {
			if (Thread.currentThread() != closingThread && stuck.compareAndSet(false, true)) {
				stuckStarted.countDown();
				awaitQuietly(release);
			}
		};
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		for (int i = 0; i < 10_000_000 && stuckStarted.getCount() > 0 && System.nanoTime() < deadline; i++) {
			pings.write(stickOnWriterThread);
		}
		assertThat(stuckStarted.await(5, TimeUnit.SECONDS)).isTrue();
		for (int i = 0; i < 100; i++) {
			pings.write(laterWritten::countDown);
		}
		// No close comes after these: the timer finds the queue stuck and starts another writer.
		assertThat(laterWritten.await(5, TimeUnit.SECONDS)).as("the Pings queued behind the stuck one").isTrue();
		assertThat(stuck).isTrue();
		release.countDown();
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

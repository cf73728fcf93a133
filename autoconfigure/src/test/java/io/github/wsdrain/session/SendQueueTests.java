package io.github.wsdrain.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link SendQueue} alone: bounds, each overflow policy, batches, and the first offers to
 * a queue that has created nothing yet. No session, no socket.
 */
class SendQueueTests {

	private static final Duration LONG_WAIT = Duration.ofSeconds(10);

	@Test
	void admitsUpToItsCapacityInBytes() throws Exception {
		SendQueue queue = new SendQueue(100, SendOverflowPolicy.TERMINATE, LONG_WAIT);
		assertThat(queue.offer(bytes(60))).isEqualTo(SendQueue.Offer.ADMITTED);
		assertThat(queue.offer(bytes(40))).isEqualTo(SendQueue.Offer.ADMITTED);
		assertThat(queue.offer(bytes(1))).isEqualTo(SendQueue.Offer.FULL);
		assertThat(queue.size()).isEqualTo(2);
		assertThat(queue.bytes()).isEqualTo(100);
		assertThat(queue.admitted()).isEqualTo(2);
	}

	@Test
	void aMessageLargerThanTheCapacityIsAdmittedIntoAnEmptyQueueOnly() throws Exception {
		SendQueue queue = new SendQueue(100, SendOverflowPolicy.TERMINATE, LONG_WAIT);
		assertThat(queue.offer(bytes(500))).isEqualTo(SendQueue.Offer.ADMITTED);
		assertThat(queue.offer(bytes(1))).isEqualTo(SendQueue.Offer.FULL);
	}

	@Test
	void blockRefusesWhenNoRoomAppearsWithinTheWait() throws Exception {
		SendQueue queue = new SendQueue(10, SendOverflowPolicy.BLOCK, Duration.ofMillis(20));
		queue.offer(bytes(10));
		long start = System.nanoTime();
		assertThat(queue.offer(bytes(5))).isEqualTo(SendQueue.Offer.FULL);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(20));
		assertThat(queue.size()).isEqualTo(1);
	}

	@Test
	void blockAdmitsOnceTheWriterTakesTheHead() throws Exception {
		SendQueue queue = new SendQueue(10, SendOverflowPolicy.BLOCK, LONG_WAIT);
		queue.offer(text("first", 10));
		CompletableFuture<SendQueue.Offer> waiting = CompletableFuture.supplyAsync(() -> offer(queue, text("second", 5)));
		await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(5)).until(() -> !waiting.isDone());
		assertThat(queue.takeBatch(new WebSocketMessage<?>[SendQueue.MAX_BATCH_MESSAGES])).isEqualTo(1);
		assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo(SendQueue.Offer.ADMITTED);
		assertThat(payloads(queue)).containsExactly("second");
	}

	@Test
	void closeRefusesNewMessagesAndReleasesWaitingSenders() throws Exception {
		SendQueue queue = new SendQueue(10, SendOverflowPolicy.BLOCK, LONG_WAIT);
		queue.offer(text("kept", 10));
		CompletableFuture<SendQueue.Offer> waiting = CompletableFuture.supplyAsync(() -> offer(queue, bytes(5)));
		await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(5)).until(() -> !waiting.isDone());
		queue.close();
		assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo(SendQueue.Offer.CLOSED_WHILE_WAITING);
		assertThat(queue.offer(bytes(1))).isEqualTo(SendQueue.Offer.CLOSED);
		assertThat(payloads(queue)).as("what was admitted before the close is still handed out").containsExactly("kept");
	}

	@Test
	void terminateRefusesAtOnceAndKeepsTheQueue() throws Exception {
		SendQueue queue = new SendQueue(10, SendOverflowPolicy.TERMINATE, LONG_WAIT);
		queue.offer(text("a", 6));
		queue.offer(text("b", 4));
		assertThat(queue.offer(bytes(1))).isEqualTo(SendQueue.Offer.FULL);
		assertThat(payloads(queue)).containsExactly("a", "b");
	}

	@Test
	void dropOldestDropsFromTheHeadUntilTheNewMessageFits() throws Exception {
		SendQueue queue = new SendQueue(10, SendOverflowPolicy.DROP_OLDEST, LONG_WAIT);
		queue.offer(text("a", 4));
		queue.offer(text("b", 4));
		queue.offer(text("c", 2));
		SendQueue.Offer offer = queue.offer(text("d", 7));
		assertThat(offer.outcome()).isEqualTo(SendQueue.Outcome.ADMITTED);
		assertThat(offer.droppedOldest()).isEqualTo(2);
		assertThat(payloads(queue)).containsExactly("c", "d");
		assertThat(queue.admitted()).isEqualTo(4);
	}

	@Test
	void batchesKeepTheOrderAndStopAtThirtyTwoMessages() throws Exception {
		SendQueue queue = new SendQueue(1_000_000, SendOverflowPolicy.BLOCK, LONG_WAIT);
		for (int i = 0; i < 40; i++) {
			queue.offer(text(Integer.toString(i), 10));
		}
		WebSocketMessage<?>[] batch = new WebSocketMessage<?>[SendQueue.MAX_BATCH_MESSAGES];
		assertThat(queue.takeBatch(batch)).isEqualTo(32);
		assertThat(((TextMessage) batch[0]).getPayload()).startsWith("0");
		assertThat(((TextMessage) batch[31]).getPayload()).startsWith("31");
		assertThat(queue.size()).as("taken but not claimed still counts").isEqualTo(40);
		for (int i = 0; i < 32; i++) {
			assertThat(queue.claimNext()).isTrue();
		}
		assertThat(queue.claimNext()).isFalse();
		assertThat(queue.takeBatch(batch)).isEqualTo(8);
		assertThat(((TextMessage) batch[0]).getPayload()).startsWith("32");
	}

	@Test
	void batchesStopAtSixtyFourKilobytesUnlessTheFirstMessageIsLarger() throws Exception {
		SendQueue queue = new SendQueue(10_000_000, SendOverflowPolicy.BLOCK, LONG_WAIT);
		queue.offer(bytes(30_000));
		queue.offer(bytes(30_000));
		queue.offer(bytes(30_000));
		queue.offer(bytes(200_000));
		WebSocketMessage<?>[] batch = new WebSocketMessage<?>[SendQueue.MAX_BATCH_MESSAGES];
		assertThat(queue.takeBatch(batch)).isEqualTo(2);
		assertThat(queue.takeBatch(batch)).isEqualTo(1);
		assertThat(queue.takeBatch(batch)).as("one message above the batch limit").isEqualTo(1);
		assertThat(queue.takeBatch(batch)).isZero();
		assertThat(queue.bytes()).isZero();
	}

	@Test
	void clearDropsTheQueueAndTheUnclaimedRestOfTheBatch() throws Exception {
		SendQueue queue = new SendQueue(1_000_000, SendOverflowPolicy.BLOCK, LONG_WAIT);
		for (int i = 0; i < 40; i++) {
			queue.offer(bytes(10));
		}
		queue.takeBatch(new WebSocketMessage<?>[SendQueue.MAX_BATCH_MESSAGES]);
		queue.claimNext();
		queue.claimNext();
		assertThat(queue.clear()).isEqualTo(8 + 30);
		assertThat(queue.claimNext()).as("the writer stops at the next message").isFalse();
		assertThat(queue.size()).isZero();
		assertThat(queue.isEmpty()).isTrue();
	}

	@Test
	void aQueueThatNeverAdmittedAnythingBatchesClearsAndClosesAsEmpty() throws Exception {
		SendQueue queue = new SendQueue(100, SendOverflowPolicy.BLOCK, LONG_WAIT);
		assertThat(queue.takeBatch(new WebSocketMessage<?>[SendQueue.MAX_BATCH_MESSAGES])).isZero();
		assertThat(queue.claimNext()).isFalse();
		assertThat(queue.clear()).isZero();
		queue.close();
		assertThat(queue.offer(bytes(1))).isEqualTo(SendQueue.Offer.CLOSED);
		assertThat(queue.size()).isZero();
		assertThat(queue.admitted()).isZero();
	}

	/**
	 * The lock and the deque are created by the first offer: 200 fresh queues, each offered
	 * 100 messages by each of 4 threads released at once, keep all 400, in each thread's
	 * order.
	 */
	@Test
	void fourThreadsOfferingAtOnceToAFreshQueueLoseNothing() throws Exception {
		int threads = 4;
		int perThread = 100;
		ExecutorService senders = Executors.newFixedThreadPool(threads);
		try {
			for (int round = 0; round < 200; round++) {
				SendQueue queue = new SendQueue(1_000_000, SendOverflowPolicy.TERMINATE, LONG_WAIT);
				CountDownLatch start = new CountDownLatch(1);
				List<Future<?>> sent = new ArrayList<>();
				for (int t = 0; t < threads; t++) {
					String thread = "t" + t;
					sent.add(senders.submit(() -> {
						start.await();
						for (int i = 0; i < perThread; i++) {
							assertThat(queue.offer(text(thread + ":" + i, 8))).isEqualTo(SendQueue.Offer.ADMITTED);
						}
						return null;
					}));
				}
				start.countDown();
				for (Future<?> future : sent) {
					future.get(10, TimeUnit.SECONDS);
				}
				List<String> payloads = payloads(queue);
				assertThat(payloads).hasSize(threads * perThread);
				for (int t = 0; t < threads; t++) {
					String prefix = "t" + t + ":";
					assertThat(payloads.stream().filter((payload) -> payload.startsWith(prefix)))
						.containsExactlyElementsOf(IntStream.range(0, perThread).mapToObj((i) -> prefix + i).toList());
				}
			}
		}
		finally {
			senders.shutdownNow();
		}
	}

	@Test
	void abandonBatchReturnsWhatTheWriterHadNotClaimed() throws Exception {
		SendQueue queue = new SendQueue(1_000_000, SendOverflowPolicy.BLOCK, LONG_WAIT);
		for (int i = 0; i < 5; i++) {
			queue.offer(bytes(10));
		}
		queue.takeBatch(new WebSocketMessage<?>[SendQueue.MAX_BATCH_MESSAGES]);
		queue.claimNext();
		assertThat(queue.abandonBatch()).isEqualTo(4);
		assertThat(queue.claimNext()).isFalse();
	}

	private static SendQueue.Offer offer(SendQueue queue, WebSocketMessage<?> message) {
		try {
			return queue.offer(message);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static List<String> payloads(SendQueue queue) {
		List<String> payloads = new ArrayList<>();
		WebSocketMessage<?>[] batch = new WebSocketMessage<?>[SendQueue.MAX_BATCH_MESSAGES];
		int count;
		while ((count = queue.takeBatch(batch)) > 0) {
			for (int i = 0; i < count; i++) {
				queue.claimNext();
				payloads.add(((TextMessage) batch[i]).getPayload().strip());
			}
		}
		return payloads;
	}

	/** A text message of the given payload length, starting with the label. */
	private static TextMessage text(String label, int length) {
		return new TextMessage(label + " ".repeat(Math.max(0, length - label.length())));
	}

	private static BinaryMessage bytes(int length) {
		return new BinaryMessage(new byte[length]);
	}

}

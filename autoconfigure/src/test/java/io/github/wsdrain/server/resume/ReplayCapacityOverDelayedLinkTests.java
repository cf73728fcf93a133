package io.github.wsdrain.server.resume;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.wsdrain.client.BufferedWebSocketClient;
import io.github.wsdrain.client.ReliableWebSocketConnection;
import io.github.wsdrain.protocol.ReplayBudget;
import io.github.wsdrain.server.ServerSelection;
import io.github.wsdrain.testsupport.DelayProxy;
import io.github.wsdrain.testsupport.ResumeTestApplication;
import io.github.wsdrain.testsupport.ResumeTestApplication.Recorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.WebSocketMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The replay buffer over a real 50 ms round trip (Tomcat, the reliable Java client, a
 * proxy delaying each direction 25 ms), at the default 1 MB base size and a 2 MB shared
 * budget: it grows so that more than 1 MB is in flight, and stalled sessions together
 * hold no more than the budget beyond their base sizes, losing nothing.
 */
@SpringBootTest(classes = ResumeTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { ServerSelection.TOMCAT, "wsdrain.server.resume.shared-buffer-size=2MB" })
class ReplayCapacityOverDelayedLinkTests {

	private static final int KB = 1024;

	private static final long MB = 1024 * 1024;

	/** 1 KB and the frame header {@code m:<seq>:}: what a message adds to a replay buffer, at least. */
	private static final int FRAME_BYTES = KB + 4;

	@LocalServerPort
	private int port;

	@Autowired
	private Recorder recorder;

	@Autowired
	private ResumableSessions sessions;

	private DelayProxy proxy;

	private final BufferedWebSocketClient client = new BufferedWebSocketClient();

	private final ExecutorService senders = Executors.newCachedThreadPool();

	@BeforeEach
	void startProxy() throws Exception {
		this.recorder.clear();
		this.proxy = new DelayProxy(this.port, Duration.ofMillis(25));
		this.client.setReliable(true);
	}

	@AfterEach
	void stop() throws Exception {
		this.senders.shutdownNow();
		this.client.close();
		this.proxy.close();
	}

	/**
	 * 16,000 messages of 1 KB over a 50 ms round trip: the replay buffer grows past its
	 * 1 MB base size and more than 1 MB (1,100 messages) is unacknowledged at once, which a
	 * fixed 1 MB buffer never allows; all 16,000 arrive in order.
	 */
	@Test
	void overA50MillisecondRoundTripTheReplayBufferGrowsAndMoreThanOneMegabyteIsInFlight() throws Exception {
		int count = 16_000;
		Stream stream = connect();
		CompletableFuture<Void> sent = stream.send(1, count);
		stream.receive(1, count);
		sent.get(60, TimeUnit.SECONDS);
		assertThat(stream.maxCapacity.get()).as("replay capacity").isGreaterThan(MB);
		assertThat(stream.maxUnacknowledged.get()).as("messages unacknowledged at once")
			.isGreaterThan(1_100)
			.isGreaterThan((int) (MB / FRAME_BYTES));
		stream.connection.close();
	}

	/**
	 * 4 sessions grow their buffers on 3,000 messages each, one after the other, then their
	 * readers stall while the app sends 6,000 more to each: together they hold at most
	 * 4 × 1 MB plus the 2 MB budget, and more than 4 × 1 MB (the budget is used, not
	 * bypassed); once the readers go on, all 9,000 arrive in order and the budget is whole
	 * again.
	 */
	@Test
	void stalledSessionsTogetherHoldNoMoreThanTheSharedBudgetBeyondTheirBaseSizes() throws Exception {
		int sessionCount = 4;
		int first = 3_000;
		int more = 6_000;
		List<Stream> streams = new ArrayList<>();
		for (int i = 0; i < sessionCount; i++) {
			streams.add(connect());
		}
		for (Stream stream : streams) {
			CompletableFuture<Void> sent = stream.send(1, first);
			stream.receive(1, first);
			sent.get(60, TimeUnit.SECONDS);
		}
		// One that grew to 4 MB could hold more beyond its base size than the whole budget.
		assertThat(streams).anySatisfy((stream) -> assertThat(stream.maxCapacity.get()).isGreaterThan(MB));
		// The readers stall: nothing more is taken, so nothing more is acknowledged.
		List<CompletableFuture<Void>> sending = new ArrayList<>();
		for (Stream stream : streams) {
			sending.add(stream.send(first + 1, more));
		}
		ReplayBudget budget = this.sessions.getReplayBudget();
		assertThat(budget.capacity()).isEqualTo(2 * MB);
		await().atMost(Duration.ofSeconds(30)).until(() -> budget.used() > budget.capacity() - 2 * FRAME_BYTES);

		long held = streams.stream().mapToLong((stream) -> stream.session.getUnacknowledgedMessages()).sum()
				* FRAME_BYTES;
		assertThat(budget.used()).isLessThanOrEqualTo(2 * MB);
		assertThat(held).as("bytes the 4 stalled sessions hold")
			.isLessThanOrEqualTo(sessionCount * MB + 2 * MB)
			.isGreaterThan(sessionCount * MB);
		assertThat(sending).as("senders waiting for room").noneMatch(CompletableFuture::isDone);

		for (Stream stream : streams) {
			stream.receive(first + 1, more);
		}
		for (CompletableFuture<Void> sends : sending) {
			sends.get(60, TimeUnit.SECONDS);
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> budget.used() == 0);
		streams.forEach((stream) -> stream.connection.close());
	}

	private Stream connect() throws InterruptedException {
		ReliableWebSocketConnection connection = this.client
			.connectReliable(URI.create("ws://127.0.0.1:" + this.proxy.port() + "/resume"), null);
		return new Stream(connection, (ResumableSession) this.recorder.nextSession());
	}

	/** One session: the app sends numbered 1 KB messages, the client's consumer takes them. */
	private final class Stream {

		final ReliableWebSocketConnection connection;

		final ResumableSession session;

		final AtomicLong maxCapacity = new AtomicLong();

		final AtomicInteger maxUnacknowledged = new AtomicInteger();

		Stream(ReliableWebSocketConnection connection, ResumableSession session) {
			this.connection = connection;
			this.session = session;
		}

		CompletableFuture<Void> send(int from, int count) {
			CountDownLatch started = new CountDownLatch(1);
			CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
				started.countDown();
				for (int i = from; i < from + count; i++) {
					ByteBuffer payload = ByteBuffer.allocate(KB).putInt(0, i);
					try {
						this.session.sendMessage(new BinaryMessage(payload));
					}
					catch (Exception ex) {
						throw new IllegalStateException(ex);
					}
					this.maxCapacity.accumulateAndGet(this.session.getReplayCapacity(), Math::max);
					this.maxUnacknowledged.accumulateAndGet(this.session.getUnacknowledgedMessages(), Math::max);
				}
			}, ReplayCapacityOverDelayedLinkTests.this.senders);
			return sent;
		}

		void receive(int from, int count) throws InterruptedException {
			for (int i = from; i < from + count; i++) {
				WebSocketMessage<?> message = this.connection.receive(Duration.ofSeconds(30));
				ByteBuffer payload = ((BinaryMessage) message).getPayload();
				assertThat(payload.remaining()).isEqualTo(KB);
				assertThat(payload.getInt(payload.position())).as("message number").isEqualTo(i);
			}
		}

	}

}

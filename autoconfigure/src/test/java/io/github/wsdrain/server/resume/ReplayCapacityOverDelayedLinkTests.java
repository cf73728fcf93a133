package io.github.wsdrain.server.resume;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.wsdrain.client.BufferedWebSocketClient;
import io.github.wsdrain.client.ReliableWebSocketConnection;
import io.github.wsdrain.protocol.ReplayBudget;
import io.github.wsdrain.protocol.ReplayBuffer;
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
import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.WebSocketMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The replay buffer over a real 50 ms round trip (Tomcat, the reliable Java client, a
 * proxy delaying each direction 25 ms), at the default 1 MB base size and a 1 MB shared
 * budget: it grows so that more than 1 MB is in flight, and stalled sessions together
 * hold no more than the budget beyond their base sizes, losing nothing.
 */
@SpringBootTest(classes = ResumeTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { ServerSelection.TOMCAT, "wsdrain.server.resume.shared-buffer-size=1MB",
				"wsdrain.server.send-time-limit=60s" })
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
		// Room for all a session may have unacknowledged: a stalled reader never holds the
		// client's shared reading threads, which the other sessions need.
		this.client.setMaxBufferedBytes(DataSize.ofMegabytes(32));
		this.client.setMaxBufferedMessages(100_000);
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
	 * 4 sessions stream 12,000 messages of 1 KB each; their readers stall after 6,000, so
	 * every sender ends up waiting for room: together the 4 hold at most 4 × 1 MB plus the
	 * 1 MB budget, and one holds more than its 1 MB base size (the budget is used, not
	 * bypassed); once the readers go on, all 12,000 arrive in order and the budget is whole
	 * again.
	 */
	@Test
	void stalledSessionsTogetherHoldNoMoreThanTheSharedBudgetBeyondTheirBaseSizes() throws Exception {
		int sessionCount = 4;
		int beforeStall = 6_000;
		int total = 12_000;
		List<Stream> streams = new ArrayList<>();
		for (int i = 0; i < sessionCount; i++) {
			streams.add(connect());
		}
		List<CompletableFuture<Void>> sending = new ArrayList<>();
		for (Stream stream : streams) {
			sending.add(stream.send(1, total));
		}
		for (Stream stream : streams) {
			stream.receive(1, beforeStall);
		}
		// The readers stall: nothing more is taken, so nothing more is acknowledged.
		await().atMost(Duration.ofSeconds(30))
			.until(() -> streams.stream().allMatch((stream) -> stream.isWaitingForRoom()));

		ReplayBudget budget = this.sessions.getReplayBudget();
		assertThat(budget.capacity()).isEqualTo(MB);
		assertThat(budget.used()).isLessThanOrEqualTo(MB);
		List<Long> held = streams.stream()
			.map((stream) -> (long) stream.session.getUnacknowledgedMessages() * FRAME_BYTES)
			.toList();
		assertThat(held.stream().mapToLong(Long::longValue).sum()).as("bytes the 4 stalled sessions hold")
			.isLessThanOrEqualTo(sessionCount * MB + MB);
		assertThat(held).as("one holds more than its base size").anyMatch((bytes) -> bytes > MB);

		for (Stream stream : streams) {
			stream.receive(beforeStall + 1, total - beforeStall);
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

		/** The app's thread sending to this session, while it sends. */
		private volatile Thread sender;

		Stream(ReliableWebSocketConnection connection, ResumableSession session) {
			this.connection = connection;
			this.session = session;
		}

		CompletableFuture<Void> send(int from, int count) {
			CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
				this.sender = Thread.currentThread();
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

		/** Whether the app's sender is waiting for room in the replay buffer now. */
		boolean isWaitingForRoom() {
			Thread thread = this.sender;
			return thread != null && Arrays.stream(thread.getStackTrace())
				.anyMatch((frame) -> frame.getClassName().equals(ReplayBuffer.class.getName())
						&& frame.getMethodName().equals("awaitRoom"));
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

package io.github.wsdrain.session;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;

import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.TextMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The rules of {@link QueueWriter} for one sending thread, against a stub container
 * session: a lone message is written on the sender's thread before {@code sendMessage}
 * returns; a loop of 5,000 sends hands the writing to the executor's thread and every
 * message still goes out once, in order; and a loop of 2,000 sends of 1 KB to a slow peer
 * never overflows a 16 KB buffer whose policy would end the session.
 */
class SendLoopTests {

	private static final DrainSettings SETTINGS = new DrainSettings(DataSize.ofMegabytes(1), Duration.ofSeconds(5),
			SendOverflowPolicy.BLOCK, Duration.ofSeconds(5), Duration.ZERO);

	private final ExecutorService executor = Executors.newCachedThreadPool();

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

	@AfterEach
	void stop() {
		this.executor.shutdownNow();
		this.timer.shutdownNow();
	}

	@RepeatedTest(10)
	void aLoneMessageIsWrittenOnTheSendersThreadBeforeSendReturns() throws Exception {
		StubWebSocketSession stub = StubWebSocketSession.open("s1");
		DrainingWebSocketSession session = session(stub, SETTINGS);
		session.sendMessage(new TextMessage("alone"));
		assertThat(stub.events()).containsExactly("alone");
		assertThat(stub.writers()).containsExactly(Thread.currentThread());
	}

	@RepeatedTest(10)
	void aLoopOfSendsGoesOutInOrderWrittenPartlyByTheExecutorsThread() throws Exception {
		StubWebSocketSession stub = StubWebSocketSession.open("s1");
		DrainingWebSocketSession session = session(stub, SETTINGS);
		// A loop is told by the time between two sends (QueueWriter.STREAMING_GAP_NANOS, 1 µs).
		// Run uncompiled on a busy machine, this loop's sends can be further apart: in the full
		// suite it once ran at 40 µs a send and never handed off. The hand-off is tested with
		// a gap that any machine meets.
		session.getWriter().setStreamingGapNanos(TimeUnit.MILLISECONDS.toNanos(10));
		int count = 5_000;
		for (int i = 0; i < count; i++) {
			session.sendMessage(new TextMessage(Integer.toString(i)));
		}
		await().atMost(Duration.ofSeconds(20)).until(() -> stub.events().size() == count);
		assertThat(stub.events()).containsExactlyElementsOf(numbers(count));
		assertThat(writtenByAnotherThread(stub)).as("a writer other than the sender").isTrue();
		assertThat(session.getSentMessages()).isEqualTo(count);
		assertThat(session.getDroppedMessages()).isZero();
	}

	@RepeatedTest(5)
	void aLoopOfSendsToASlowPeerNeverOverflowsTheBuffer() throws Exception {
		StubWebSocketSession stub = StubWebSocketSession.open("s1");
		stub.slowWrites(20_000);
		DrainSettings terminating = new DrainSettings(DataSize.ofKilobytes(16), Duration.ofSeconds(5),
				SendOverflowPolicy.TERMINATE, Duration.ofSeconds(5), Duration.ZERO);
		DrainingWebSocketSession session = session(stub, terminating);
		String padding = "p".repeat(1000);
		int count = 2_000;
		for (int i = 0; i < count; i++) {
			// A SendBufferFullException here fails the test.
			session.sendMessage(new TextMessage(i + ":" + padding));
		}
		await().atMost(Duration.ofSeconds(60)).until(() -> stub.events().size() == count);
		assertThat(stub.events()).extracting((payload) -> payload.substring(0, payload.indexOf(':')))
			.containsExactlyElementsOf(numbers(count));
		assertThat(session.getDroppedMessages()).isZero();
		assertThat(session.getState()).isEqualTo(SessionState.OPEN);
	}

	private DrainingWebSocketSession session(StubWebSocketSession stub, DrainSettings settings) {
		return new DrainingWebSocketSession(stub, settings, UnsentMessages.DROPPED, this.executor, this.timer,
				new DrainingSessionListener() {
				}, new SendTotals());
	}

	private static boolean writtenByAnotherThread(StubWebSocketSession stub) {
		return stub.writers().stream().anyMatch((thread) -> thread != Thread.currentThread());
	}

	private static List<String> numbers(int count) {
		return IntStream.range(0, count).mapToObj(Integer::toString).toList();
	}

}

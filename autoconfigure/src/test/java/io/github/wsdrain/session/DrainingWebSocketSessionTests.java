package io.github.wsdrain.session;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The state machine of {@link DrainingWebSocketSession} against a stub container session
 * (no socket): the close of a session that never sent, the first sends from several
 * threads at once, close while a write is in progress, close twice, sends during the
 * drain, the drain timeout, the end of the connection, overflow, and the replayed mode.
 */
class DrainingWebSocketSessionTests {

	private static final DrainSettings SETTINGS = new DrainSettings(DataSize.ofKilobytes(64), Duration.ofSeconds(5),
			SendOverflowPolicy.BLOCK, Duration.ofSeconds(5), Duration.ZERO);

	private final ExecutorService executor = Executors.newCachedThreadPool();

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

	private final RecordingListener listener = new RecordingListener();

	private final List<StubWebSocketSession> stubs = new CopyOnWriteArrayList<>();

	@AfterEach
	void releaseAndStop() throws InterruptedException {
		this.stubs.forEach(StubWebSocketSession::release);
		// A close a test did not wait for finishes first: its drain schedules on the timer, and
		// a failure on a thread left running would surface in the next test's await.
		this.executor.shutdown();
		assertThat(this.executor.awaitTermination(10, TimeUnit.SECONDS)).as("the test's tasks ended").isTrue();
		this.timer.shutdownNow();
	}

	@Test
	void whenIdleThenSendWritesAtOnceOnTheCallersThread() throws Exception {
		StubWebSocketSession stub = stub(StubWebSocketSession.open("s1"));
		DrainingWebSocketSession session = session(stub, SETTINGS, UnsentMessages.DROPPED);
		session.sendMessage(new TextMessage("one"));
		assertThat(stub.events()).containsExactly("one");
		assertThat(session.getSentMessages()).isEqualTo(1);
		assertThat(session.getQueuedMessages()).isZero();
		assertThat(session.getState()).isEqualTo(SessionState.OPEN);
	}

	@Test
	void aSessionThatNeverSentClosesWithItsCloseFrameAndReportsNothingFlushedOrDropped() throws Exception {
		StubWebSocketSession stub = stub(StubWebSocketSession.open("s1"));
		DrainingWebSocketSession session = session(stub, SETTINGS, UnsentMessages.DROPPED);
		CompletableFuture<CloseResult> closed = session.closeAsync(CloseStatus.GOING_AWAY);
		CloseResult result = closed.get(5, TimeUnit.SECONDS);
		assertThat(stub.events()).containsExactly("close:1001");
		assertThat(result.flushed()).isZero();
		assertThat(result.dropped()).isZero();
		assertThat(result.drainTimedOut()).isFalse();
		assertThat(session.getCloseFuture()).isSameAs(closed);
		assertThat(session.getState()).isEqualTo(SessionState.CLOSED);
		assertThat(session.getConnectionEndFuture()).isNotDone();
		session.connectionClosed(CloseStatus.GOING_AWAY);
		assertThat(session.getConnectionEndFuture()).isCompletedWithValue(CloseStatus.GOING_AWAY);
		assertThat(this.listener.closed).containsExactly(result);
	}

	@Test
	void theFuturesAskedForBeforeTheCloseAreTheOnesItCompletes() throws Exception {
		StubWebSocketSession stub = stub(StubWebSocketSession.open("s1"));
		DrainingWebSocketSession session = session(stub, SETTINGS, UnsentMessages.DROPPED);
		CompletableFuture<CloseResult> closeFuture = session.getCloseFuture();
		CompletableFuture<CloseStatus> connectionEnd = session.getConnectionEndFuture();
		assertThat(session.getCloseFuture()).isSameAs(closeFuture);
		assertThat(closeFuture).isNotDone();
		assertThat(session.closeAsync(CloseStatus.NORMAL)).isSameAs(closeFuture);
		assertThat(closeFuture.get(5, TimeUnit.SECONDS).status()).isEqualTo(CloseStatus.NORMAL);
		session.connectionClosed(CloseStatus.NORMAL);
		assertThat(connectionEnd).isCompletedWithValue(CloseStatus.NORMAL);
	}

	/**
	 * The locks are created by the first send: 20 fresh sessions, each sent 200 messages
	 * by each of 4 threads released at once, write all 800, in each thread's order, 0
	 * lost.
	 */
	@Test
	void fourThreadsSendingAtOnceToAFreshSessionLoseNothing() throws Exception {
		int threads = 4;
		int perThread = 200;
		for (int round = 0; round < 20; round++) {
			StubWebSocketSession stub = stub(StubWebSocketSession.open("s" + round));
			DrainingWebSocketSession session = session(stub, SETTINGS, UnsentMessages.DROPPED);
			CountDownLatch start = new CountDownLatch(1);
			List<Future<?>> sent = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				String thread = "t" + t;
				sent.add(this.executor.submit(() -> {
					start.await();
					for (int i = 0; i < perThread; i++) {
						session.sendMessage(new TextMessage(thread + ":" + i));
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> future : sent) {
				future.get(10, TimeUnit.SECONDS);
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> stub.events().size() == threads * perThread);
			for (int t = 0; t < threads; t++) {
				String prefix = "t" + t + ":";
				assertThat(stub.events().stream().filter((payload) -> payload.startsWith(prefix)))
					.containsExactlyElementsOf(IntStream.range(0, perThread).mapToObj((i) -> prefix + i).toList());
			}
			assertThat(session.getSentMessages()).isEqualTo(threads * perThread);
			assertThat(session.getDroppedMessages()).isZero();
		}
	}

	@Test
	void whenClosedWhileAWriteIsStuckThenEveryQueuedMessageGoesOutBeforeTheCloseFrame() throws Exception {
		StubWebSocketSession stub = stub(StubWebSocketSession.blocking("s1"));
		DrainingWebSocketSession session = session(stub, SETTINGS, UnsentMessages.DROPPED);
		Future<?> first = this.executor.submit(() -> send(session, "0"));
		stub.awaitWriting();
		for (int i = 1; i < 5; i++) {
			session.sendMessage(new TextMessage(Integer.toString(i)));
		}
		CompletableFuture<CloseResult> closed = session.closeAsync(CloseStatus.GOING_AWAY);
		assertThat(session.isOpen()).isFalse();
		assertThat(session.getState()).isEqualTo(SessionState.DRAINING);
		assertThat(closed).isNotDone();

		stub.release();
		CloseResult result = closed.get(5, TimeUnit.SECONDS);
		first.get(5, TimeUnit.SECONDS);
		assertThat(stub.events()).containsExactly("0", "1", "2", "3", "4", "close:1001");
		assertThat(result.status()).isEqualTo(CloseStatus.GOING_AWAY);
		assertThat(result.flushed()).isEqualTo(5);
		assertThat(result.dropped()).isZero();
		assertThat(result.drainTimedOut()).isFalse();
		assertThat(session.getState()).isEqualTo(SessionState.CLOSED);
	}

	@Test
	void whenClosedTwiceThenTheFirstStatusWinsAndTheResultIsReportedOnce() throws Exception {
		StubWebSocketSession stub = stub(StubWebSocketSession.open("s1"));
		DrainingWebSocketSession session = session(stub, SETTINGS, UnsentMessages.DROPPED);
		CompletableFuture<CloseResult> first = session.closeAsync(CloseStatus.NORMAL);
		CompletableFuture<CloseResult> second = session.closeAsync(CloseStatus.GOING_AWAY);
		assertThat(second).isSameAs(first);
		assertThat(first.get(5, TimeUnit.SECONDS).status()).isEqualTo(CloseStatus.NORMAL);
		session.connectionClosed(CloseStatus.NORMAL);
		assertThat(stub.events()).containsExactly("close:1000");
		assertThat(this.listener.closed).hasSize(1);
		assertThat(session.getConnectionEndFuture()).isCompletedWithValue(CloseStatus.NORMAL);
	}

	@Test
	void whenDrainingThenSendIsRefusedNamingTheSession() throws Exception {
		StubWebSocketSession stub = stub(StubWebSocketSession.blocking("s1"));
		DrainingWebSocketSession session = writingStuck(stub, SETTINGS, UnsentMessages.DROPPED);
		session.closeAsync(CloseStatus.NORMAL);
		assertThatExceptionOfType(SessionClosingException.class)
			.isThrownBy(() -> session.sendMessage(new TextMessage("late")))
			.withMessageContaining("s1")
			.withMessageContaining("closing")
			.satisfies((ex) -> assertThat(ex.getSessionId()).isEqualTo("s1"));
		assertThat(session.getAcceptedMessages()).isEqualTo(1);
	}

	@Test
	void whenTheDrainTimesOutThenTheQueueIsDroppedCountedAndTheCloseCodeIs1011() throws Exception {
		DrainSettings settings = new DrainSettings(DataSize.ofKilobytes(64), Duration.ofSeconds(5),
				SendOverflowPolicy.BLOCK, Duration.ofMillis(100));
		StubWebSocketSession stub = stub(StubWebSocketSession.blocking("s1"));
		DrainingWebSocketSession session = writingStuck(stub, settings, UnsentMessages.DROPPED);
		for (int i = 0; i < 3; i++) {
			session.sendMessage(new TextMessage("queued"));
		}
		CloseResult result = session.closeAsync(CloseStatus.NORMAL).get(5, TimeUnit.SECONDS);
		assertThat(result.drainTimedOut()).isTrue();
		assertThat(result.dropped()).isEqualTo(3);
		assertThat(result.status().getCode()).as("a 1000 would claim nothing was missed").isEqualTo(1011);
		assertThat(this.listener.dropped).containsExactly(DropReason.DRAIN_TIMEOUT + ":3");
		await().atMost(Duration.ofSeconds(5)).until(() -> stub.events().contains("close:1011"));
		await().atMost(Duration.ofSeconds(5)).until(() -> session.getState() == SessionState.CLOSED);
	}

	@Test
	void whenTheDrainIsExpiredThenItEndsAtOnce() throws Exception {
		StubWebSocketSession stub = stub(StubWebSocketSession.blocking("s1"));
		DrainingWebSocketSession session = writingStuck(stub, SETTINGS, UnsentMessages.DROPPED);
		session.sendMessage(new TextMessage("queued"));
		CompletableFuture<CloseResult> closed = session.closeAsync(CloseStatus.GOING_AWAY);
		session.expireDrain();
		CloseResult result = closed.get(1, TimeUnit.SECONDS);
		assertThat(result.drainTimedOut()).isTrue();
		assertThat(result.status()).as("only a 1000 becomes 1011").isEqualTo(CloseStatus.GOING_AWAY);
		assertThat(result.dropped()).isEqualTo(1);
	}

	@Test
	void whenTheConnectionEndsWithMessagesQueuedThenTheyAreCountedAsConnectionClosed() throws Exception {
		StubWebSocketSession stub = stub(StubWebSocketSession.blocking("s1"));
		DrainingWebSocketSession session = writingStuck(stub, SETTINGS, UnsentMessages.DROPPED);
		session.sendMessage(new TextMessage("a"));
		session.sendMessage(new TextMessage("b"));
		session.connectionClosed(CloseStatus.NO_CLOSE_FRAME);
		CloseResult result = session.getCloseFuture().get(1, TimeUnit.SECONDS);
		assertThat(result.status()).isEqualTo(CloseStatus.NO_CLOSE_FRAME);
		assertThat(result.dropped()).isEqualTo(2);
		assertThat(session.getState()).isEqualTo(SessionState.CLOSED);
		assertThat(this.listener.dropped).containsExactly(DropReason.CONNECTION_CLOSED + ":2");
		assertThatExceptionOfType(SessionClosingException.class)
			.isThrownBy(() -> session.sendMessage(new TextMessage("late")))
			.withMessageContaining("closed");
	}

	@Test
	void whenTheConnectionEndsDuringTheDrainThenNoCloseFrameIsSent() throws Exception {
		StubWebSocketSession stub = stub(StubWebSocketSession.blocking("s1"));
		DrainingWebSocketSession session = writingStuck(stub, SETTINGS, UnsentMessages.DROPPED);
		CompletableFuture<CloseResult> closed = session.closeAsync(CloseStatus.NORMAL);
		session.connectionClosed(CloseStatus.GOING_AWAY);
		assertThat(closed.get(1, TimeUnit.SECONDS).status()).as("the status the close asked for")
			.isEqualTo(CloseStatus.NORMAL);
		stub.release();
		await().atMost(Duration.ofSeconds(5)).until(() -> stub.events().contains("stuck"));
		assertThat(stub.events()).doesNotContain("close:1000");
		assertThat(this.listener.closed).hasSize(1);
	}

	@Test
	void whenWritesFailThenEachLostMessageIsCountedAsSendFailedAndTheCloseFrameStillGoesOut() throws Exception {
		StubWebSocketSession stub = stub(StubWebSocketSession.blocking("s1"));
		DrainingWebSocketSession session = session(stub, SETTINGS, UnsentMessages.DROPPED);
		Future<?> first = this.executor.submit(() -> send(session, "0"));
		stub.awaitWriting();
		session.sendMessage(new TextMessage("1"));
		stub.failWrites();
		stub.release();
		assertThat(first).failsWithin(Duration.ofSeconds(5));
		assertThat(session.getDroppedMessages()).as("the message being written").isEqualTo(1);
		CloseResult result = session.closeAsync(CloseStatus.NORMAL).get(5, TimeUnit.SECONDS);
		assertThat(result.dropped()).as("the drain's write of the queued one fails too").isEqualTo(1);
		assertThat(this.listener.dropped).containsExactly(DropReason.SEND_FAILED + ":1", DropReason.SEND_FAILED + ":1");
		assertThat(result.status()).as("the close frame still goes out").isEqualTo(CloseStatus.NORMAL);
		assertThat(stub.events()).containsExactly("close:1000");
	}

	@Test
	void terminateRefusesDropsTheQueueAndClosesWith1011WithoutWaitingForTheWriter() throws Exception {
		DrainSettings settings = new DrainSettings(DataSize.ofBytes(10), Duration.ofSeconds(5),
				SendOverflowPolicy.TERMINATE, Duration.ofSeconds(5));
		StubWebSocketSession stub = stub(StubWebSocketSession.blocking("s1"));
		DrainingWebSocketSession session = writingStuck(stub, settings, UnsentMessages.DROPPED);
		session.sendMessage(new TextMessage("0123456789"));
		assertThatExceptionOfType(SendBufferFullException.class)
			.isThrownBy(() -> session.sendMessage(new TextMessage("x")))
			.withMessageContaining("send buffer full");
		CloseResult result = session.getCloseFuture().get(5, TimeUnit.SECONDS);
		assertThat(result.status().getCode()).isEqualTo(1011);
		assertThat(result.dropped()).isEqualTo(1);
		assertThat(this.listener.dropped).containsExactly(DropReason.OVERFLOW + ":1");
	}

	@Test
	void blockRefusesAfterTheSendTimeLimitThenDrainsWhatItAccepted() throws Exception {
		DrainSettings settings = new DrainSettings(DataSize.ofBytes(10), Duration.ofMillis(20),
				SendOverflowPolicy.BLOCK, Duration.ofSeconds(5));
		StubWebSocketSession stub = stub(StubWebSocketSession.blocking("s1"));
		DrainingWebSocketSession session = writingStuck(stub, settings, UnsentMessages.DROPPED);
		session.sendMessage(new TextMessage("0123456789"));
		assertThatExceptionOfType(SendBufferFullException.class)
			.isThrownBy(() -> session.sendMessage(new TextMessage("x")))
			.withMessageContaining("no room within the send time limit of 20 ms");
		assertThat(session.getState()).isEqualTo(SessionState.DRAINING);
		stub.release();
		CloseResult result = session.getCloseFuture().get(5, TimeUnit.SECONDS);
		assertThat(stub.events()).containsExactly("stuck", "0123456789", "close:1011");
		assertThat(result.dropped()).isZero();
	}

	@Test
	void dropOldestCountsEachDropUnlessTheSessionIsReplayed() throws Exception {
		DrainSettings settings = new DrainSettings(DataSize.ofBytes(10), Duration.ofMillis(20),
				SendOverflowPolicy.DROP_OLDEST, Duration.ofSeconds(5));
		StubWebSocketSession stub = stub(StubWebSocketSession.blocking("s1"));
		DrainingWebSocketSession session = writingStuck(stub, settings, UnsentMessages.DROPPED);
		for (int i = 0; i < 5; i++) {
			session.sendMessage(new TextMessage("012345678" + i));
		}
		assertThat(session.getDroppedMessages()).isEqualTo(4);
		assertThat(session.getQueuedMessages()).isEqualTo(1);
	}

	@Test
	void aReplayedSessionWaitsInsteadOfDroppingAndCountsNoDrops() throws Exception {
		DrainSettings settings = new DrainSettings(DataSize.ofBytes(10), Duration.ofMillis(20),
				SendOverflowPolicy.DROP_OLDEST, Duration.ofMillis(100));
		StubWebSocketSession stub = stub(StubWebSocketSession.blocking("s1"));
		DrainingWebSocketSession session = writingStuck(stub, settings, UnsentMessages.REPLAYED);
		assertThat(session.getUnsentMessages()).isEqualTo(UnsentMessages.REPLAYED);
		session.sendMessage(new TextMessage("0123456789"));
		assertThatExceptionOfType(SendBufferFullException.class)
			.as("a dropped frame would be a gap: the sender waits, then is refused")
			.isThrownBy(() -> session.sendMessage(new TextMessage("x")));
		CloseResult result = session.getCloseFuture().get(5, TimeUnit.SECONDS);
		assertThat(result.drainTimedOut()).isTrue();
		assertThat(result.dropped()).as("the session above replays them").isZero();
		assertThat(session.getDroppedMessages()).isZero();
		assertThat(this.listener.dropped).isEmpty();
	}

	@Test
	void whenTheCloseBarrierIsOnThenTheCloseFrameFollowsThePongToItsPing() throws Exception {
		StubWebSocketSession stub = stub(StubWebSocketSession.open("s1"));
		DrainingWebSocketSession session = withBarrier(stub, UnsentMessages.DROPPED);
		session.sendMessage(new TextMessage("last"));
		CompletableFuture<CloseResult> closed = session.closeAsync(CloseStatus.NORMAL);
		await().atMost(Duration.ofSeconds(5)).until(() -> stub.lastPing() != null);
		assertThat(closed).isNotDone();
		assertThat(session.getCloseBarrier().consume(new PongMessage(stub.lastPing()))).isTrue();
		CloseResult result = closed.get(5, TimeUnit.SECONDS);
		assertThat(stub.events()).containsExactly("last", "ping", "close:1000");
		assertThat(result.closeBarrier()).isEqualTo(BarrierOutcome.PASSED);
	}

	@Test
	void thePongsThreadWritesTheCloseFrameWithoutAHandOff() throws Exception {
		StubWebSocketSession stub = stub(StubWebSocketSession.open("s1"));
		DrainingWebSocketSession session = withBarrier(stub, UnsentMessages.DROPPED);
		// A lone send on an idle session is written on the sender's thread: nothing is left queued.
		session.sendMessage(new TextMessage("last"));
		assertThat(stub.events()).containsExactly("last");
		// Nothing queued: the Ping goes out on this thread, before closeAsync returns.
		CompletableFuture<CloseResult> closed = session.closeAsync(CloseStatus.NORMAL);
		assertThat(stub.events()).containsExactly("last", "ping");
		assertThat(session.getCloseBarrier().consume(new PongMessage(stub.lastPing()))).isTrue();
		assertThat(closed).as("closed on the thread that took the Pong").isDone();
		assertThat(stub.events()).containsExactly("last", "ping", "close:1000");
		assertThat(closed.get().closeBarrier()).isEqualTo(BarrierOutcome.PASSED);
	}

	@Test
	void closing200IdleSessionsInALoopLeavesTheirPingsToAnotherThreadAndEachClosesAfterItsPong() throws Exception {
		DrainSettings settings = SETTINGS.withCloseBarrierTimeout(Duration.ofSeconds(5));
		BarrierPings barrierPings = new BarrierPings(this.executor, this.timer);
		List<StubWebSocketSession> stubs = new ArrayList<>();
		List<DrainingWebSocketSession> sessions = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			StubWebSocketSession stub = stub(StubWebSocketSession.open("s" + i));
			stubs.add(stub);
			DrainingWebSocketSession session = new DrainingWebSocketSession(stub, settings, UnsentMessages.DROPPED,
					this.executor, this.timer, this.listener, new SendTotals(), barrierPings);
			session.sendMessage(new TextMessage("m" + i));
			sessions.add(session);
		}
		assertThat(stubs).as("each lone send written on this thread").allMatch((stub) -> stub.events().size() == 1);
		List<CompletableFuture<CloseResult>> closing = new ArrayList<>();
		for (DrainingWebSocketSession session : sessions) {
			closing.add(session.closeAsync(CloseStatus.GOING_AWAY));
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> stubs.stream().allMatch((stub) -> stub.lastPing() != null));
		assertThat(stubs.get(0).pingWriter()).as("the first Ping").isSameAs(Thread.currentThread());
		assertThat(stubs.stream().filter((stub) -> stub.pingWriter() != Thread.currentThread()))
			.as("Pings left to another thread").isNotEmpty();
		for (int i = 0; i < sessions.size(); i++) {
			assertThat(closing.get(i)).as("no close frame before the Pong").isNotDone();
			assertThat(sessions.get(i).getCloseBarrier().consume(new PongMessage(stubs.get(i).lastPing()))).isTrue();
			CloseResult result = closing.get(i).get(5, TimeUnit.SECONDS);
			assertThat(result.closeBarrier()).isEqualTo(BarrierOutcome.PASSED);
			assertThat(stubs.get(i).events()).containsExactly("m" + i, "ping", "close:1001");
		}
	}

	@Test
	void aPongThatOvertakesThePingsWriteLeavesTheCloseFrameUntilThatWriteReturns() throws Exception {
		StubWebSocketSession stub = stub(StubWebSocketSession.open("s1"));
		DrainingWebSocketSession session = withBarrier(stub, UnsentMessages.DROPPED);
		session.sendMessage(new TextMessage("last"));
		assertThat(stub.events()).containsExactly("last");
		stub.blockWrites();
		Future<CompletableFuture<CloseResult>> closing = this.executor
			.submit(() -> session.closeAsync(CloseStatus.NORMAL));
		stub.awaitWriting();
		assertThat(session.getCloseBarrier().consume(new PongMessage(stub.lastPing()))).isTrue();
		assertThat(stub.events()).as("no close frame while the Ping's write is in progress").containsExactly("last");
		stub.release();
		CloseResult result = closing.get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
		assertThat(stub.events()).containsExactly("last", "ping", "close:1000");
		assertThat(result.closeBarrier()).isEqualTo(BarrierOutcome.PASSED);
	}

	@Test
	void whenNoPongComesThenTheCloseFrameGoesOutAtTheBarrierTimeout() throws Exception {
		DrainSettings settings = SETTINGS.withCloseBarrierTimeout(Duration.ofMillis(50));
		StubWebSocketSession stub = stub(StubWebSocketSession.open("s1"));
		DrainingWebSocketSession session = new DrainingWebSocketSession(stub, settings, UnsentMessages.DROPPED,
				this.executor, this.timer, this.listener, new SendTotals());
		session.sendMessage(new TextMessage("last"));
		CloseResult result = session.closeAsync(CloseStatus.NORMAL).get(5, TimeUnit.SECONDS);
		assertThat(stub.events()).containsExactly("last", "ping", "close:1000");
		assertThat(result.closeBarrier()).isEqualTo(BarrierOutcome.TIMED_OUT);
		assertThat(result.drainTimedOut()).isFalse();
	}

	@Test
	void aReplayedSessionSendsNoPing() throws Exception {
		StubWebSocketSession stub = stub(StubWebSocketSession.open("s1"));
		DrainingWebSocketSession session = withBarrier(stub, UnsentMessages.REPLAYED);
		session.sendMessage(new TextMessage("last"));
		CloseResult result = session.closeAsync(CloseStatus.NORMAL).get(5, TimeUnit.SECONDS);
		assertThat(stub.events()).containsExactly("last", "close:1000");
		assertThat(result.closeBarrier()).isEqualTo(BarrierOutcome.SKIPPED);
	}

	@Test
	void aSessionThatSentNothingSendsNoPing() throws Exception {
		StubWebSocketSession stub = stub(StubWebSocketSession.open("s1"));
		DrainingWebSocketSession session = withBarrier(stub, UnsentMessages.DROPPED);
		CloseResult result = session.closeAsync(CloseStatus.GOING_AWAY).get(5, TimeUnit.SECONDS);
		assertThat(stub.events()).as("nothing for the client to lose: no Ping").containsExactly("close:1001");
		assertThat(stub.lastPing()).isNull();
		assertThat(result.closeBarrier()).isEqualTo(BarrierOutcome.SKIPPED);
	}

	@Test
	void withACloseDelayTheSessionStillAcceptsUntilTheDelayEnds() throws Exception {
		StubWebSocketSession stub = stub(StubWebSocketSession.open("s1"));
		DrainingWebSocketSession session = session(stub, SETTINGS, UnsentMessages.DROPPED);
		CompletableFuture<Void> outbound = new CompletableFuture<>();
		session.setCloseDelay(() -> outbound);
		CompletableFuture<CloseResult> closed = session.closeAsync(CloseStatus.GOING_AWAY);
		assertThat(session.getState()).isEqualTo(SessionState.CLOSE_PENDING);
		assertThat(session.isOpen()).isTrue();
		session.sendMessage(new TextMessage("still on its way"));
		outbound.complete(null);
		assertThat(closed.get(5, TimeUnit.SECONDS).status()).isEqualTo(CloseStatus.GOING_AWAY);
		assertThat(stub.events()).containsExactly("still on its way", "close:1001");
	}

	/** A session whose close barrier waits up to 5 s for the Pong. */
	private DrainingWebSocketSession withBarrier(StubWebSocketSession stub, UnsentMessages unsentMessages) {
		return new DrainingWebSocketSession(stub, SETTINGS.withCloseBarrierTimeout(Duration.ofSeconds(5)),
				unsentMessages, this.executor, this.timer, this.listener, new SendTotals());
	}

	private StubWebSocketSession stub(StubWebSocketSession stub) {
		this.stubs.add(stub);
		return stub;
	}

	private DrainingWebSocketSession session(StubWebSocketSession stub, DrainSettings settings,
			UnsentMessages unsent) {
		return new DrainingWebSocketSession(stub,
				(settings.closeBarrierTimeout().equals(DrainSettings.DEFAULT_CLOSE_BARRIER_TIMEOUT))
						? settings.withCloseBarrierTimeout(Duration.ZERO) : settings,
				unsent, this.executor, this.timer, this.listener, new SendTotals());
	}

	/** A session whose writer is stuck in the stub, writing "stuck" sent from another thread. */
	private DrainingWebSocketSession writingStuck(StubWebSocketSession stub, DrainSettings settings,
			UnsentMessages unsent) throws InterruptedException {
		DrainingWebSocketSession session = session(stub, settings, unsent);
		this.executor.submit(() -> send(session, "stuck"));
		stub.awaitWriting();
		return session;
	}

	private static Void send(DrainingWebSocketSession session, String payload) throws IOException {
		session.sendMessage(new TextMessage(payload));
		return null;
	}

	private static final class RecordingListener implements DrainingSessionListener {

		private final List<String> dropped = new CopyOnWriteArrayList<>();

		private final List<CloseResult> closed = new CopyOnWriteArrayList<>();

		@Override
		public void messagesDropped(DrainingWebSocketSession session, DropReason reason, long count) {
			this.dropped.add(reason + ":" + count);
		}

		@Override
		public void sessionClosed(DrainingWebSocketSession session, CloseResult result) {
			this.closed.add(result);
		}

	}

}

package io.github.wsdrain.shutdown;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.server.GoingAwayHandler;
import io.github.wsdrain.session.DrainSettings;
import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.session.SendOverflowPolicy;
import io.github.wsdrain.session.StubWebSocketSession;
import io.github.wsdrain.session.UnsentMessages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lifecycle and the drain run against stub sessions (no socket, no context): the
 * handshake gate, going-away callbacks, the summary, and the timeout.
 */
class GracefulWebSocketShutdownTests {

	private static final DrainSettings SETTINGS = new DrainSettings(DataSize.ofKilobytes(64), Duration.ofSeconds(5),
			SendOverflowPolicy.BLOCK, Duration.ofSeconds(5), Duration.ZERO);

	private final DrainingSessionRegistry registry = new DrainingSessionRegistry(SETTINGS, List.of());

	private final List<StubWebSocketSession> stubs = new CopyOnWriteArrayList<>();

	@AfterEach
	void stop() {
		this.stubs.forEach(StubWebSocketSession::release);
		this.registry.destroy();
	}

	@Test
	void startAcceptsHandshakesAndADrainRefusesThemUntilAcceptingResumes() {
		GracefulWebSocketShutdown shutdown = shutdown(Duration.ofSeconds(5));
		shutdown.start();
		assertThat(shutdown.isRunning()).isTrue();
		assertThat(shutdown.isAcceptingSessions()).isTrue();
		DrainSummary summary = shutdown.drainAll(CloseStatus.SERVICE_RESTARTED).join();
		assertThat(summary.sessions()).isZero();
		assertThat(summary.complete()).isTrue();
		assertThat(shutdown.isAcceptingSessions()).isFalse();
		assertThat(this.registry.getHandshakeGate().getRetryAfter()).isEqualTo(Duration.ofSeconds(3));
		shutdown.resumeAccepting();
		assertThat(shutdown.isAcceptingSessions()).isTrue();
	}

	@Test
	void whenEverySessionDrainsThenEachSaysGoodbyeBeforeItsCloseFrameAndTheSummaryIsComplete() throws Exception {
		Goodbye goodbye = new Goodbye();
		for (int i = 0; i < 3; i++) {
			session(StubWebSocketSession.open("s" + i), goodbye);
		}
		GracefulWebSocketShutdown shutdown = shutdown(Duration.ofSeconds(5));
		DrainSummary summary = shutdown.drainAll(CloseStatus.GOING_AWAY).get(5, TimeUnit.SECONDS);
		assertThat(summary.sessions()).isEqualTo(3);
		assertThat(summary.closed()).isEqualTo(3);
		assertThat(summary.forced()).isZero();
		assertThat(summary.flushed()).as("one goodbye each").isEqualTo(3);
		assertThat(summary.dropped()).isZero();
		assertThat(summary.complete()).isTrue();
		this.stubs.forEach((stub) -> assertThat(stub.events()).containsExactly("goodbye", "close:1001"));
		assertThat(this.registry.getSessions()).isEmpty();
	}

	@Test
	void whenASessionIsStillDrainingAtTheTimeoutThenItIsClosedAnywayAndItsQueueCounted() throws Exception {
		StubWebSocketSession stuck = StubWebSocketSession.blocking("stuck");
		DrainingWebSocketSession session = session(stuck, null);
		CompletableFuture.runAsync(() -> send(session, "in flight"));
		stuck.awaitWriting();
		session.sendMessage(new TextMessage("queued 1"));
		session.sendMessage(new TextMessage("queued 2"));
		session(StubWebSocketSession.open("quick"), null);
		GracefulWebSocketShutdown shutdown = shutdown(Duration.ofMillis(200));
		DrainSummary summary = shutdown.drainAll(CloseStatus.GOING_AWAY).get(5, TimeUnit.SECONDS);
		assertThat(summary.sessions()).isEqualTo(2);
		assertThat(summary.forced()).isEqualTo(1);
		assertThat(summary.closed()).isEqualTo(1);
		assertThat(summary.dropped()).isEqualTo(2);
		assertThat(summary.complete()).isFalse();
		assertThat(session.getCloseFuture().get(5, TimeUnit.SECONDS).drainTimedOut()).isTrue();
	}

	@Test
	void whenAGoingAwayCallbackHangsThenItIsInterruptedAtTheTimeoutAndTheSessionClosed() throws Exception {
		CountDownLatch interrupted = new CountDownLatch(1);
		GoingAwayHandler hanging = (session) -> {
			try {
				new CountDownLatch(1).await();
			}
			catch (InterruptedException ex) {
				interrupted.countDown();
				throw ex;
			}
		};
		StubWebSocketSession stub = StubWebSocketSession.open("s1");
		DrainingWebSocketSession session = session(stub, new HandlerWith(hanging));
		GracefulWebSocketShutdown shutdown = shutdown(Duration.ofMillis(200));
		DrainSummary summary = shutdown.drainAll(CloseStatus.GOING_AWAY).get(5, TimeUnit.SECONDS);
		assertThat(summary.forced()).isEqualTo(1);
		assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(session.getCloseFuture().get(5, TimeUnit.SECONDS).status()).isEqualTo(CloseStatus.GOING_AWAY);
	}

	@Test
	void whenAGoingAwayCallbackFailsThenTheSessionIsClosedAllTheSame() throws Exception {
		StubWebSocketSession stub = StubWebSocketSession.open("s1");
		session(stub, new HandlerWith((session) -> {
			throw new IllegalStateException("no goodbye today");
		}));
		DrainSummary summary = shutdown(Duration.ofSeconds(5)).drainAll(CloseStatus.GOING_AWAY)
			.get(5, TimeUnit.SECONDS);
		assertThat(summary.closed()).isEqualTo(1);
		assertThat(stub.events()).containsExactly("close:1001");
	}

	@Test
	void stopWithACallbackRunsItWhenTheDrainHasEnded() throws Exception {
		StubWebSocketSession stub = StubWebSocketSession.open("s1");
		session(stub, new Goodbye());
		GracefulWebSocketShutdown shutdown = shutdown(Duration.ofSeconds(5));
		shutdown.start();
		CountDownLatch stopped = new CountDownLatch(1);
		shutdown.stop(stopped::countDown);
		assertThat(stopped.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(shutdown.isRunning()).isFalse();
		assertThat(stub.events()).containsExactly("goodbye", "close:3000");
	}

	private GracefulWebSocketShutdown shutdown(Duration timeout) {
		return new GracefulWebSocketShutdown(this.registry, timeout, new CloseStatus(3000, "Restarting"),
				Duration.ofSeconds(3));
	}

	/** Register a draining session whose stub reports the end of the connection once closed. */
	private DrainingWebSocketSession session(StubWebSocketSession stub, WebSocketHandler handler) {
		this.stubs.add(stub);
		DrainingWebSocketSession session = (handler != null)
				? this.registry.drainingSession(stub, UnsentMessages.DROPPED, handler)
				: this.registry.drainingSession(stub);
		stub.onClose(session::connectionClosed);
		return session;
	}

	private static void send(WebSocketSession session, String payload) {
		try {
			session.sendMessage(new TextMessage(payload));
		}
		catch (Exception ex) {
			// The drain timeout cuts the write short.
		}
	}

	private static class HandlerWith extends AbstractWebSocketHandler implements GoingAwayHandler {

		private final GoingAwayHandler callback;

		HandlerWith(GoingAwayHandler callback) {
			this.callback = callback;
		}

		@Override
		public void beforeShutdown(WebSocketSession session) throws Exception {
			this.callback.beforeShutdown(session);
		}

	}

	private static final class Goodbye extends HandlerWith {

		Goodbye() {
			super((session) -> session.sendMessage(new TextMessage("goodbye")));
		}

	}

}

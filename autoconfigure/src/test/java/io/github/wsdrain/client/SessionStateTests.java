package io.github.wsdrain.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.github.wsdrain.client.SessionState.Loss;
import io.github.wsdrain.client.SessionState.State;
import io.github.wsdrain.protocol.Frame;
import org.junit.jupiter.api.Test;

import org.springframework.util.backoff.FixedBackOff;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reliable connection's state machine with transport connections that never open a
 * socket: each transition, and the events that must not move it.
 */
class SessionStateTests {

	private static final ConnectionSettings SETTINGS = new ConnectionSettings(Duration.ofSeconds(1),
			Duration.ofSeconds(1), Duration.ofSeconds(1), 10, 1024, ReceiveOverflowPolicy.BLOCK, 1024,
			Duration.ofSeconds(1), new FixedBackOff(), Duration.ofSeconds(50));

	private final SessionState state = new SessionState();

	private final List<String> events = new ArrayList<>();

	private final TransportConnection first = transport();

	private final TransportConnection second = transport();

	@Test
	void theFirstConnectionGoesLiveOnceItsSessionFrameArrived() {
		assertThat(this.state.state()).isEqualTo(State.CONNECTING);
		assertThat(this.state.goLive(this.first)).as("no session frame yet").isFalse();

		assertThat(this.state.sessionFrame(this.first, session(false, "t1"), false, () -> this.events.add("accepted")))
			.isTrue();
		assertThat(this.state.goLive(this.first)).isTrue();

		assertThat(this.state.state()).isEqualTo(State.OPEN);
		assertThat(this.state.live()).isSameAs(this.first);
		assertThat(this.state.windowMillis()).isEqualTo(120_000);
		assertThat(this.events).containsExactly("accepted");
	}

	@Test
	void theFirstConnectionsEndIsLeftToTheOpeningThread() {
		this.state.sessionFrame(this.first, session(false, "t1"), false, () -> {
		});
		assertThat(this.state.connectionEnded(this.first, false, () -> this.events.add("closed"))).isEqualTo(Loss.NONE);
		assertThat(this.state.state()).isEqualTo(State.CONNECTING);
		assertThat(this.state.goLive(this.first)).isFalse();
		assertThat(this.events).isEmpty();
	}

	@Test
	void aLostConnectionWaitsForAResumeWithTheLastToken() {
		open();
		assertThat(this.state.connectionEnded(this.first, false, () -> this.events.add("closed")))
			.isEqualTo(Loss.RECONNECTING);

		assertThat(this.state.state()).isEqualTo(State.RECONNECTING);
		assertThat(this.state.live()).isNull();
		assertThat(this.state.needsAttempt()).isTrue();
		assertThat(this.state.resume(7)).isEqualTo(new Reconnector.Resume("t1", 7));
		assertThat(this.events).isEmpty();
	}

	@Test
	void aResumedConnectionCarriesTheSessionAndGoesLive() {
		open();
		this.state.connectionEnded(this.first, false, () -> {
		});
		assertThat(this.state.sessionFrame(this.second, session(true, "t2"), true, () -> this.events.add("accepted")))
			.isTrue();
		assertThat(this.state.needsAttempt()).as("an attempt carries it now").isFalse();
		assertThat(this.state.goLive(this.second)).isTrue();

		assertThat(this.state.state()).isEqualTo(State.OPEN);
		assertThat(this.state.reconnects()).isEqualTo(1);
		assertThat(this.state.resumes()).isEqualTo(1);
		assertThat(this.events).containsExactly("accepted");
		assertThat(this.state.connectionEnded(this.first, false, () -> {
		})).as("the old connection's late end").isEqualTo(Loss.NONE);
		assertThat(this.state.state()).isEqualTo(State.OPEN);
	}

	@Test
	void aNewSessionInPlaceOfAResumeIsAReconnectButNotTheSessions() {
		open();
		this.state.connectionEnded(this.first, false, () -> {
		});
		assertThat(this.state.sessionFrame(this.second, session(false, "other"), true, () -> this.events.add("accepted")))
			.isFalse();
		assertThat(this.state.reconnects()).isEqualTo(1);
		assertThat(this.state.resumes()).isZero();
		assertThat(this.state.goLive(this.second)).isFalse();
		assertThat(this.events).isEmpty();
		assertThat(this.state.resume(0)).as("still the old token").isEqualTo(new Reconnector.Resume("t1", 0));
	}

	@Test
	void anEndThatEndsTheSessionClosesIt() {
		open();
		assertThat(this.state.connectionEnded(this.first, true, () -> this.events.add("closed")))
			.isEqualTo(Loss.SESSION_OVER);
		assertThat(this.state.state()).isEqualTo(State.CLOSED);
		assertThat(this.events).containsExactly("closed");
		assertThat(this.state.sessionFrame(this.second, session(true, "t2"), true, () -> this.events.add("accepted")))
			.isFalse();
		assertThat(this.state.end((last) -> this.events.add("again"))).isFalse();
		assertThat(this.events).containsExactly("closed");
	}

	@Test
	void endingHandsOverTheConnectionThatCarriedTheSessionOnce() {
		open();
		AtomicReference<TransportConnection> carrying = new AtomicReference<>();
		assertThat(this.state.end(carrying::set)).isTrue();
		assertThat(carrying).hasValue(this.first);
		assertThat(this.state.state()).isEqualTo(State.CLOSED);
		assertThat(this.state.live()).isNull();
		assertThat(this.state.resume(0)).isNull();
		assertThat(this.state.needsAttempt()).isFalse();
	}

	@Test
	void aConnectionLostWhileItsReplayWasWrittenDoesNotGoLive() {
		open();
		this.state.connectionEnded(this.first, false, () -> {
		});
		this.state.sessionFrame(this.second, session(true, "t2"), true, () -> {
		});
		this.state.connectionEnded(this.second, false, () -> {
		});
		assertThat(this.state.goLive(this.second)).isFalse();
		assertThat(this.state.state()).isEqualTo(State.RECONNECTING);
		assertThat(this.state.needsAttempt()).isTrue();
	}

	private void open() {
		this.state.sessionFrame(this.first, session(false, "t1"), false, () -> {
		});
		this.state.goLive(this.first);
	}

	private static Frame.Session session(boolean resumed, String token) {
		return new Frame.Session(resumed, token, 0, 120_000);
	}

	private static TransportConnection transport() {
		return new TransportConnection(URI.create("ws://localhost:1/test"), SETTINGS, null);
	}

}

package io.github.wsdrain.server.resume;

import org.junit.jupiter.api.Test;

import org.springframework.web.socket.CloseStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Unit tests for {@link ResumableState}: its transitions and the questions the session
 * asks it.
 */
class ResumableStateTests {

	@Test
	void onlyClosedAndEvictedAreOver() {
		assertThat(ResumableState.values()).filteredOn(ResumableState::isOver)
			.containsExactlyInAnyOrder(ResumableState.CLOSED, ResumableState.EVICTED);
	}

	@Test
	void closeSentOnlyLeavesClosing() {
		assertThat(ResumableState.CLOSING.closeSent()).isEqualTo(ResumableState.CLOSE_SENT);
		assertThat(ResumableState.OPEN.closeSent()).isEqualTo(ResumableState.OPEN);
		assertThat(ResumableState.REFUSED.closeSent()).isEqualTo(ResumableState.REFUSED);
	}

	@Test
	void violationRefusesAnOpenSessionAndEndsAClosingOneWithItsClose() {
		assertThat(ResumableState.OPEN.violated()).isEqualTo(ResumableState.REFUSED);
		assertThat(ResumableState.CLOSING.violated()).isEqualTo(ResumableState.CLOSE_SENT);
		assertThat(ResumableState.CLOSED.violated()).isEqualTo(ResumableState.CLOSED);
	}

	@Test
	void openSessionWaitsForAResumeUnlessTheClientClosedOrAMessageWasTooBig() {
		assertThat(ResumableState.OPEN.waitsForResumeAfter(CloseStatus.GOING_AWAY, false)).isTrue();
		assertThat(ResumableState.OPEN.waitsForResumeAfter(new CloseStatus(1006), true)).isTrue();
		assertThat(ResumableState.OPEN.waitsForResumeAfter(CloseStatus.NORMAL, false)).isFalse();
		assertThat(ResumableState.OPEN.waitsForResumeAfter(CloseStatus.TOO_BIG_TO_PROCESS, false)).isFalse();
	}

	@Test
	void closingSessionWaitsForAResumeOnlyWhileSomethingIsUnacknowledged() {
		assertThat(ResumableState.CLOSING.waitsForResumeAfter(new CloseStatus(1006), false)).isTrue();
		assertThat(ResumableState.CLOSING.waitsForResumeAfter(new CloseStatus(1006), true)).isFalse();
		assertThat(ResumableState.CLOSE_SENT.waitsForResumeAfter(new CloseStatus(1006), false)).isFalse();
		assertThat(ResumableState.REFUSED.waitsForResumeAfter(new CloseStatus(1006), false)).isFalse();
	}

	@Test
	void endsCompleteOnlyWhenTheAppClosedAndEverythingWasAcknowledged() {
		assertThat(ResumableState.CLOSING.endsComplete(0)).isTrue();
		assertThat(ResumableState.CLOSE_SENT.endsComplete(0)).isTrue();
		assertThat(ResumableState.CLOSE_SENT.endsComplete(1)).isFalse();
		assertThat(ResumableState.OPEN.endsComplete(0)).isFalse();
		assertThat(ResumableState.REFUSED.endsComplete(0)).isFalse();
	}

}

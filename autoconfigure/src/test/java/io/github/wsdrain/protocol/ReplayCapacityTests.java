package io.github.wsdrain.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import org.springframework.web.socket.BinaryMessage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The adaptive replay capacity with a hand-driven clock: a live connection starts at the
 * maximum and keeps it while the app sets the pace; it grows with the bytes a round trip
 * delivers (fourfold while full and unqueued, to twice the bytes per shortest round trip,
 * at least 20 ms, otherwise), stays at or falls back to its base size for a slow reader,
 * falls by half at most per round trip, and all buffers together never hold more than the
 * shared budget beyond their base sizes; a lone message larger than the base size is
 * still taken.
 */
class ReplayCapacityTests {

	private static final int KB = 1024;

	private static final long MB = 1024 * 1024;

	private static final ReplayBuffer.Admission<RuntimeException> OPEN = () -> {
	};

	private final AtomicLong now = new AtomicLong(1_000_000_000L);

	@Test
	void aStreamThatFillsTheBufferEveryRoundTripGrowsItFourfoldPerRoundTripUpToTheMaximum() {
		ReplayBuffer buffer = adaptive(MB, 16 * MB, new ReplayBudget(1024 * MB));
		List<Long> sizes = new ArrayList<>();
		for (int round = 0; round < 4; round++) {
			fastRound(buffer, 50);
			sizes.add(buffer.capacity());
		}
		assertThat(sizes).as("1 MB, then 4 MB, 16 MB, and no further than the maximum")
			.containsExactly(4 * MB, 16 * MB, 16 * MB, 16 * MB);
	}

	@Test
	void onAPathOf20MegabytesPerSecondAnd50MillisecondsTheCapacitySettlesAtTwiceTheOneMegabyteItCarriesPerRoundTrip() {
		ReplayBuffer buffer = adaptive(MB, 16 * MB, new ReplayBudget(1024 * MB));
		List<Long> sizes = new ArrayList<>();
		for (int round = 0; round < 6; round++) {
			// What exceeds 1 MB queues: the round trip is 50 ms or the time to deliver it all.
			fill(buffer);
			this.now.addAndGet(Math.max(TimeUnit.MILLISECONDS.toNanos(50), buffer.bytes() * 1_000_000_000L / (20 * MB)));
			buffer.acknowledge(buffer.lastSent());
			sizes.add(buffer.capacity());
		}
		assertThat(sizes.get(0)).as("1 MB delivered in the shortest round trip: full and unqueued").isEqualTo(4 * MB);
		assertThat(sizes.subList(2, 6)).as("then twice the bytes per shortest round trip")
			.allSatisfy((size) -> assertThat(size).isBetween(2 * MB - 64 * KB, 2 * MB + 64 * KB));
	}

	@Test
	void aSlowReaderKeepsTheBufferAtItsBaseSize() {
		ReplayBudget budget = new ReplayBudget(1024 * MB);
		ReplayBuffer buffer = adaptive(MB, 16 * MB, budget);
		fill(buffer);
		// The reader takes 32 KB every 100 ms, the first right away: 320 KB/s, for 30 s.
		long acknowledged = 0;
		for (int ack = 0; ack < 300; ack++) {
			this.now.addAndGet(TimeUnit.MILLISECONDS.toNanos((ack == 0) ? 2 : 100));
			acknowledged += 32;
			buffer.acknowledge(acknowledged);
			fill(buffer);
			assertThat(buffer.capacity()).as("after %d acknowledgements", ack + 1).isEqualTo(MB);
		}
		assertThat(budget.used()).isZero();
	}

	@Test
	void oneSlowRoundTripHalvesTheCapacityAtMost() {
		ReplayBuffer buffer = adaptive(MB, 16 * MB, new ReplayBudget(1024 * MB));
		fastRound(buffer, 50);
		fastRound(buffer, 50);
		fastRound(buffer, 50);
		assertThat(buffer.capacity()).isEqualTo(16 * MB);
		fastRound(buffer, 5_000);
		assertThat(buffer.capacity()).isEqualTo(8 * MB);
	}

	@Test
	void allBuffersTogetherHoldNoMoreThanTheSharedBudgetBeyondTheirBaseSizes() {
		ReplayBudget budget = new ReplayBudget(3 * MB);
		List<ReplayBuffer> buffers = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			ReplayBuffer buffer = adaptive(MB, 16 * MB, budget);
			fastRound(buffer, 50);
			buffers.add(buffer);
		}
		// Four buffers of 4 MB each could hold 12 MB beyond their base sizes; the budget has 3.
		buffers.forEach(this::fill);
		long beyondBase = buffers.stream().mapToLong((buffer) -> Math.max(0, buffer.bytes() - MB)).sum();
		assertThat(beyondBase).isLessThanOrEqualTo(3 * MB).isGreaterThan(3 * MB - 2 * KB);
		assertThat(budget.used()).isEqualTo(beyondBase);
		assertThat(buffers).allSatisfy((buffer) -> assertThat(buffer.bytes()).isGreaterThanOrEqualTo(MB - 2 * KB));

		buffers.get(0).acknowledge(buffers.get(0).lastSent());
		buffers.get(1).release();
		assertThat(budget.used()).isEqualTo(Math.max(0, buffers.get(2).bytes() - MB)
				+ Math.max(0, buffers.get(3).bytes() - MB));
	}

	@Test
	void aMessageLargerThanTheBaseSizeIsStillTakenAloneWhenTheBudgetIsSpent() {
		ReplayBudget budget = new ReplayBudget(0);
		ReplayBuffer buffer = adaptive(KB, 16 * MB, budget);
		assertThat(buffer.add(message(10 * KB), OPEN)).isNotNull();
		assertThat(buffer.add(message(10), OPEN)).as("one at a time").isNull();
		assertThat(budget.used()).isGreaterThan(9 * KB);
		buffer.acknowledge(1);
		assertThat(budget.used()).isZero();
	}

	@Test
	void aNewConnectionStartsAtTheMaximumAndALostOnePutsTheCapacityBackToItsBaseSize() {
		OutboundStream out = new OutboundStream(ReplayCapacity.adaptive(MB, 16 * MB, new ReplayBudget(1024 * MB),
				this.now::get), false);
		assertThat(out.capacity()).as("no connection yet").isEqualTo(MB);
		FrameSink sink = (frame) -> true;
		out.attach(sink, () -> true, () -> true);
		assertThat(out.capacity()).as("live: the first round trip may fill a long, fast path").isEqualTo(16 * MB);
		ReplayBuffer grown = adaptive(MB, 16 * MB, new ReplayBudget(1024 * MB));
		fastRound(grown, 50);
		grown.disconnected();
		assertThat(grown.capacity()).isEqualTo(MB);
		out.detach(sink);
		assertThat(out.capacity()).isEqualTo(MB);
	}

	@Test
	void onANewConnection16MegabytesGoOutBeforeTheFirstAcknowledgementAsFarAsTheBudgetAllows() {
		ReplayBuffer large = adaptive(MB, 16 * MB, new ReplayBudget(1024 * MB));
		large.connected();
		fill(large);
		assertThat(large.bytes()).isGreaterThan(16 * MB - 2 * KB).isLessThanOrEqualTo(16 * MB);
		ReplayBudget small = new ReplayBudget(3 * MB);
		ReplayBuffer capped = adaptive(MB, 16 * MB, small);
		capped.connected();
		fill(capped);
		assertThat(capped.bytes()).as("the base size and the budget").isGreaterThan(4 * MB - 2 * KB)
			.isLessThanOrEqualTo(4 * MB);
		assertThat(small.used()).isEqualTo(capped.bytes() - MB);
	}

	@Test
	void roundTripsPacedByTheAppKeepTheCapacityOfANewConnection() {
		ReplayBuffer buffer = adaptive(MB, 16 * MB, new ReplayBudget(1024 * MB));
		buffer.connected();
		// 64 KB per 50 ms round trip, acknowledged as it arrives: no sender waits, nothing queues.
		for (int round = 0; round < 20; round++) {
			for (int i = 0; i < 64; i++) {
				assertThat(buffer.add(message(KB), OPEN)).isNotNull();
			}
			this.now.addAndGet(TimeUnit.MILLISECONDS.toNanos(50));
			buffer.acknowledge(buffer.lastSent());
		}
		assertThat(buffer.capacity()).isEqualTo(16 * MB);
	}

	@Test
	void aSlowReaderOnANewConnectionFallsBackToTheBaseSizeByHalfPerRoundTrip() {
		ReplayBudget budget = new ReplayBudget(1024 * MB);
		ReplayBuffer buffer = adaptive(MB, 16 * MB, budget);
		buffer.connected();
		fill(buffer);
		// The reader takes 32 KB every 100 ms: 320 KB/s, its frames queue behind 16 MB, so that
		// a round trip lasts as long as the reader takes to read what the buffer holds.
		List<Long> sizes = new ArrayList<>();
		long acknowledged = 0;
		for (int ack = 0; ack < 10_000 && buffer.capacity() > MB; ack++) {
			this.now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
			acknowledged += 32;
			long before = buffer.capacity();
			buffer.acknowledge(acknowledged);
			if (buffer.capacity() != before) {
				sizes.add(buffer.capacity());
			}
			fill(buffer);
		}
		assertThat(sizes).containsExactly(8 * MB, 4 * MB, 2 * MB, MB);
		// What it held beyond the base size goes back to the budget as the reader takes it.
		buffer.acknowledge(buffer.lastSent());
		assertThat(budget.used()).isZero();
	}

	@Test
	void aFastReaderBehindQueuesKeepsRoomForTwentyMillisecondsOfWhatItTakes() {
		ReplayBuffer buffer = adaptive(MB, 16 * MB, new ReplayBudget(1024 * MB));
		buffer.connected();
		// An empty loopback path: 1 ms.
		buffer.add(message(KB), OPEN);
		this.now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
		buffer.acknowledge(buffer.lastSent());
		// Then a reader taking 200 MB/s whose buffered frames make round trips 40 ms long.
		for (int round = 0; round < 10; round++) {
			fill(buffer);
			long bytes = buffer.bytes();
			this.now.addAndGet(bytes * 1_000_000_000L / (200 * MB));
			buffer.acknowledge(buffer.lastSent());
		}
		assertThat(buffer.capacity()).as("twice 200 MB/s for 20 ms, not for the 1 ms measured")
			.isBetween(8 * MB - 64 * KB, 8 * MB + 64 * KB);
	}

	@Test
	void aFixedCapacityNeverGrows() {
		ReplayBuffer buffer = new ReplayBuffer(MB);
		fastRound(buffer, 50);
		fastRound(buffer, 50);
		assertThat(buffer.capacity()).isEqualTo(MB);
	}

	private ReplayBuffer adaptive(long base, long max, ReplayBudget budget) {
		return new ReplayBuffer(ReplayCapacity.adaptive(base, max, budget, this.now::get));
	}

	/** Fill the buffer, find it full, and have everything acknowledged one round trip later. */
	private void fastRound(ReplayBuffer buffer, long rttMillis) {
		fill(buffer);
		this.now.addAndGet(TimeUnit.MILLISECONDS.toNanos(rttMillis));
		buffer.acknowledge(buffer.lastSent());
	}

	/** Add 1 KB messages until no more fit, then find it full as a waiting sender does. */
	private void fill(ReplayBuffer buffer) {
		for (int i = 0; i < 100_000; i++) {
			if (buffer.add(message(KB), OPEN) == null) {
				break;
			}
		}
		try {
			assertThat(buffer.awaitRoom(KB, System.nanoTime(), OPEN)).as("full").isFalse();
		}
		catch (InterruptedException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static BinaryMessage message(int size) {
		return new BinaryMessage(new byte[size]);
	}

}

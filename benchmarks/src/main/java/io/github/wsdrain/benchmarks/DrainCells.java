package io.github.wsdrain.benchmarks;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.session.BarrierOutcome;
import io.github.wsdrain.session.CloseResult;
import io.github.wsdrain.session.DrainingWebSocketSession;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;

import static io.github.wsdrain.benchmarks.Bench.KB;
import static io.github.wsdrain.benchmarks.Bench.MB;
import static io.github.wsdrain.benchmarks.Bench.WAIT_SECONDS;
import static io.github.wsdrain.benchmarks.Bench.await;
import static io.github.wsdrain.benchmarks.Bench.awaitAll;
import static io.github.wsdrain.benchmarks.Bench.bytes;
import static io.github.wsdrain.benchmarks.Bench.check;
import static io.github.wsdrain.benchmarks.Bench.filler;
import static io.github.wsdrain.benchmarks.Bench.log;
import static io.github.wsdrain.benchmarks.Bench.requireDraining;

/**
 * The cost of a close: an idle session's, and {@code closeAsync} with 1, 8 and 64 MB
 * queued against the time the same bytes take to cross with no close.
 */
final class DrainCells {

	/**
	 * Runs of the 1 MB cell, the one with a target, per measured run of the other cells:
	 * a run lasts a few milliseconds, of which the close barrier's round trip and this
	 * machine's scheduling are a large part, and five runs gave a ratio's interval as wide
	 * as [0.18, 4.66].
	 */
	static final int ONE_MB_RUNS_FACTOR = 9;

	private final BenchContext bench;

	DrainCells(BenchContext bench) {
		this.bench = bench;
	}

	void drain() throws Exception {
		idleClose();
		int[] queuedSizes = this.bench.quick() ? new int[] { MB, 8 * MB } : new int[] { MB, 8 * MB, 64 * MB };
		for (int queued : queuedSizes) {
			drainCell(queued);
		}
	}

	/**
	 * One drain cell on {@code /drained} sessions of the auto-configuration; the 1 MB cell
	 * in ABBA pairs with the same close on {@code /plain} sessions in draining sessions
	 * whose close barrier is off.
	 */
	private void drainCell(int queued) throws Exception {
		int size = 64 * KB;
		boolean paired = queued == MB;
		log("Drain, %s queued in %s messages%s", bytes(queued), bytes(size),
				paired ? ", in pairs with the close barrier off" : "");
		int runs = paired ? ONE_MB_RUNS_FACTOR * this.bench.runs() : this.bench.runs();
		List<DrainRun> runsWithBarrier = new ArrayList<>(runs);
		List<DrainRun> runsWithoutBarrier = new ArrayList<>(runs);
		for (int r = -this.bench.warmups(); r < runs; r++) {
			for (int k = 0; k < (paired ? 2 : 1); k++) {
				boolean barrierOff = paired && ((r & 1) == 0) == (k == 1);
				DrainRun run = drainRun(queued, size, !barrierOff);
				if (r >= 0) {
					(barrierOff ? runsWithoutBarrier : runsWithBarrier).add(run);
					log("  run %d/%d%s: no close %.1f ms, closeAsync → close frame %.1f ms", r + 1, runs,
							barrierOff ? ", barrier off" : "", run.transferNanos() / 1e6, run.drainNanos() / 1e6);
				}
			}
		}
		this.bench.report().drain().record(queued, size, true, runsWithBarrier);
		if (paired) {
			this.bench.report().drain().record(queued, size, false, runsWithoutBarrier);
		}
	}

	/**
	 * The fixed cost of a close, with nothing queued after one message: from {@code close} to the client's
	 * receipt of the close frame, for the container's session ({@code /plain}) and for
	 * {@code closeAsync} on a draining one, in pairs.
	 */
	private void idleClose() throws Exception {
		log("Close of an idle session");
		double[] plain = new double[this.bench.runs()];
		double[] drained = new double[this.bench.runs()];
		for (int r = -this.bench.warmups(); r < this.bench.runs(); r++) {
			double plainMillis = idleCloseRun(false);
			double drainedMillis = idleCloseRun(true);
			if (r >= 0) {
				plain[r] = plainMillis;
				drained[r] = drainedMillis;
			}
		}
		this.bench.report().drain().idleClose(plain, drained);
	}

	private double idleCloseRun(boolean drained) throws Exception {
		ReceivingClient client = ReceivingClient.connect(this.bench.httpClient(), uri(drained ? "/drained" : "/plain"),
				false);
		WebSocketSession session = (drained ? this.bench.server().drained() : this.bench.server().plain()).next();
		check(session instanceof DrainingWebSocketSession == drained, "idle close: unexpected session %s", session);
		// Idle after one message: a session that sent nothing has no close barrier to pass.
		session.sendMessage(new BinaryMessage(new byte[] { 1 }));
		await(client.whenReceived(1), "the message before an idle close");
		long started = System.nanoTime();
		if (session instanceof DrainingWebSocketSession draining) {
			draining.closeAsync(CloseStatus.NORMAL);
		}
		else {
			session.close(CloseStatus.NORMAL);
		}
		ReceivingClient.Close close = await(client.closed(), "the close frame of an idle session");
		check(close.code() == CloseStatus.NORMAL.getCode(), "idle close: code %d", close.code());
		return (close.nanos() - started) / 1e6;
	}

	/**
	 * One drain run: nanoseconds from the client's resumption (and, with the close,
	 * {@code closeAsync}) to each step, as the client saw it.
	 *
	 * @param transferNanos the last message at the client, with no close
	 * @param drainNanos the close frame at the client
	 * @param queuedAtClose bytes still in wsdrain's queue at {@code closeAsync}
	 * @param lastMessageNanos the last message at the client, with the close
	 * @param pingNanos the close barrier's Ping at the client, 0 without the barrier
	 */
	record DrainRun(long transferNanos, long drainNanos, long queuedAtClose, long lastMessageNanos, long pingNanos) {

	}

	/**
	 * One connection: the bytes cross once with no close (client paused while they are
	 * sent, then resumed), then the same bytes are queued again the same way and the
	 * session is closed as the client resumes.
	 * @param barrier {@code true} for a {@code /drained} session, barrier on; {@code false}
	 * for a {@code /plain} session in a draining session whose barrier is off
	 */
	private DrainRun drainRun(int queued, int size, boolean barrier) throws Exception {
		int count = queued / size;
		ReceivingClient client = ReceivingClient.connect(this.bench.httpClient(), uri(barrier ? "/drained" : "/plain"),
				true);
		DrainingWebSocketSession session = barrier ? requireDraining(this.bench.server().drained().next())
				: this.bench.withoutBarrier().drainingSession(this.bench.server().plain().next());
		ByteBuffer payload = ByteBuffer.wrap(filler(size));

		// Unmeasured: the same bytes once, so that both measured phases find TCP's windows grown alike.
		List<Future<?>> sends = sendWhilePaused(session, payload, count);
		CompletableFuture<Long> allThrough = client.whenReceived(count);
		client.resume();
		await(allThrough, "the warm-up transfer of " + bytes(queued));
		awaitAll(sends);

		client.pause();
		sends = sendWhilePaused(session, payload, count);
		allThrough = client.whenReceived(2L * count);
		long started = System.nanoTime();
		client.resume();
		long transferNanos = await(allThrough, "the transfer of " + bytes(queued)) - started;
		awaitAll(sends);

		client.pause();
		sends = sendWhilePaused(session, payload, count);
		long queuedAtClose = session.getQueuedBytes();
		CompletableFuture<Long> lastMessage = client.whenReceived(3L * count);
		started = System.nanoTime();
		CompletableFuture<CloseResult> closing = session.closeAsync(CloseStatus.NORMAL);
		client.resume();
		ReceivingClient.Close close = await(client.closed(), "the close frame after " + bytes(queued));
		long drainNanos = close.nanos() - started;
		CloseResult result = await(closing, "the close result");
		long lastMessageNanos = await(lastMessage, "the last message before the close frame") - started;
		long pingNanos = barrier ? client.pingNanos() - started : 0;
		check(!barrier || (lastMessageNanos <= pingNanos && pingNanos <= drainNanos),
				"drain run: the close barrier's Ping at %d ns, expected between the last message (%d ns) and the "
						+ "close frame (%d ns)", pingNanos, lastMessageNanos, drainNanos);
		awaitAll(sends);
		check(close.code() == CloseStatus.NORMAL.getCode(), "drain run: close code %d, expected 1000", close.code());
		check(client.messages() == 3L * count && client.bytes() == 3L * count * size,
				"drain run: client received %d messages / %d bytes before the close frame, expected %d / %d",
				client.messages(), client.bytes(), 3L * count, 3L * count * size);
		BarrierOutcome outcome = barrier ? BarrierOutcome.PASSED : BarrierOutcome.SKIPPED;
		check(result.dropped() == 0 && !result.drainTimedOut() && result.closeBarrier() == outcome,
				"drain run: %s, expected barrier %s", result, outcome);
		return new DrainRun(transferNanos, drainNanos, queuedAtClose, lastMessageNanos, pingNanos);
	}

	/**
	 * Hand {@code count} messages to the session from a pool while the client reads
	 * nothing: the thread that writes blocks once the socket is full, the others queue.
	 * Returns once every message is accepted (the writer's own call may still block).
	 */
	private List<Future<?>> sendWhilePaused(DrainingWebSocketSession session, ByteBuffer payload, int count)
			throws Exception {
		long target = session.getAcceptedMessages() + count;
		List<Future<?>> sends = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			sends.add(this.bench.senders().submit(() -> {
				session.sendMessage(new BinaryMessage(payload.duplicate()));
				return null;
			}));
		}
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
		while (session.getAcceptedMessages() < target) {
			check(System.nanoTime() < deadline, "only %d of %d messages accepted", session.getAcceptedMessages(),
					target);
			Thread.sleep(1);
		}
		return sends;
	}

	private URI uri(String path) {
		return this.bench.uri(path);
	}

}

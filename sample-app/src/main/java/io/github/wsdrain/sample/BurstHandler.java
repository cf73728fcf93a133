package io.github.wsdrain.sample;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * {@code /demo/burst} and {@code /plain/burst}: T threads each send one contiguous block
 * of the indexes 0..N-1, and the first thread done with its block closes the session at
 * once. A send the session refuses stops that thread and is counted, so the outcome
 * says exactly how many messages the application had handed over.
 */
class BurstHandler extends TextWebSocketHandler {

	private static final Log logger = LogFactory.getLog(BurstHandler.class);

	private static final int KEPT_OUTCOMES = 100;

	private final UnaryOperator<WebSocketSession> sessionDecorator;

	private final SampleSenders senders;

	private final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>(KEPT_OUTCOMES);

	/** For the page, which shows the latest burst without taking it from the tests. */
	private volatile @Nullable Outcome lastOutcome;

	/**
	 * @param sessionDecorator what the handler sends through: the session as given, or
	 * Spring's {@code ConcurrentWebSocketSessionDecorator} for the plain endpoints
	 * @param senders runs the sending threads
	 */
	BurstHandler(UnaryOperator<WebSocketSession> sessionDecorator, SampleSenders senders) {
		this.sessionDecorator = sessionDecorator;
		this.senders = senders;
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession session) throws IOException {
		BurstParameters parameters;
		try {
			parameters = BurstParameters.from(session.getUri());
		}
		catch (IllegalArgumentException ex) {
			session.close(CloseStatus.POLICY_VIOLATION.withReason(ex.getMessage()));
			return;
		}
		WebSocketSession target = this.sessionDecorator.apply(session);
		Burst burst = new Burst(session.getId(), target, parameters);
		List<Runnable> blocks = IntStream.range(0, parameters.threads())
			.<Runnable>mapToObj((block) -> () -> burst.sendBlock(block))
			.toList();
		if (!this.senders.tryRun(blocks)) {
			session.close(SampleSenders.BUSY);
		}
	}

	/**
	 * Return the outcome of the oldest burst not yet taken, waiting for it to end.
	 * @return the outcome
	 * @throws InterruptedException if interrupted while waiting
	 */
	Outcome takeOutcome() throws InterruptedException {
		return this.outcomes.take();
	}

	/**
	 * Return the outcome of the latest burst that ended.
	 * @return the outcome, or {@code null} before the first
	 */
	@Nullable Outcome lastOutcome() {
		return this.lastOutcome;
	}

	private void record(Outcome outcome) {
		this.lastOutcome = outcome;
		while (!this.outcomes.offer(outcome)) {
			this.outcomes.poll();
		}
		logger.info(outcome);
	}

	/**
	 * What one burst did.
	 *
	 * @param sessionId the session
	 * @param accepted messages whose {@code sendMessage} returned normally
	 * @param refused messages whose {@code sendMessage} threw (the session was closing)
	 */
	record Outcome(String sessionId, int accepted, int refused) {

	}

	private final class Burst {

		private final String id;

		private final WebSocketSession session;

		private final BurstParameters parameters;

		private final AtomicBoolean closed = new AtomicBoolean();

		private final AtomicInteger accepted = new AtomicInteger();

		private final AtomicInteger refused = new AtomicInteger();

		private final AtomicInteger threadsLeft;

		Burst(String id, WebSocketSession session, BurstParameters parameters) {
			this.id = id;
			this.session = session;
			this.parameters = parameters;
			this.threadsLeft = new AtomicInteger(parameters.threads());
		}

		void sendBlock(int block) {
			int end = this.parameters.blockEnd(block);
			for (int index = this.parameters.blockStart(block); index < end; index++) {
				try {
					this.session.sendMessage(NumberedMessages.numbered(index, this.parameters.size()));
					this.accepted.incrementAndGet();
				}
				catch (IOException | RuntimeException ex) {
					this.refused.addAndGet(end - index);
					logger.debug("Burst on session " + this.id + ": block " + block + " stopped at index " + index
							+ ": " + ex.getMessage());
					break;
				}
			}
			if (this.closed.compareAndSet(false, true)) {
				closeQuietly();
			}
			if (this.threadsLeft.decrementAndGet() == 0) {
				record(new Outcome(this.id, this.accepted.get(), this.refused.get()));
			}
		}

		private void closeQuietly() {
			try {
				this.session.close(CloseStatus.NORMAL);
			}
			catch (IOException ex) {
				logger.debug("Burst on session " + this.id + ": close failed", ex);
			}
		}

	}

}

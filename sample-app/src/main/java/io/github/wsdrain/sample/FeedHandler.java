package io.github.wsdrain.sample;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.wsdrain.server.resume.ResumableSession;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * {@code /demo/feed}: sends the indexes 0..N-1 in the burst format, {@code rate} per
 * second or as fast as back-pressure allows, then closes with 1000 once everything has
 * been delivered. Bad parameters close the connection with 1008 and the reason.
 * <p>
 * A client that offers {@code wsdrain.v1} gets a resumable session: the handler is given
 * a {@code ResumableSession}, its sends are numbered and kept until acknowledged, and the
 * close waits for the client's acknowledgements (up to {@code wsdrain.server.resume.ack-timeout}).
 * If the connection drops while the feed runs, the handler notices nothing: it keeps
 * sending into the replay buffer (waiting when it is full) and the client that resumes
 * gets every message it missed. A client that does not offer {@code wsdrain.v1} gets the
 * same N messages over plain WebSocket with drain-before-close, then 1000.
 * <p>
 * With {@code wsdrain.server.resume.store=redis}, a session that moves in from another
 * node (the client reconnected here, or that node stopped or crashed) goes on from the
 * session's last sent message: nothing is sent twice, nothing skipped.
 * <p>
 * Sample only: a client message {@code cut} makes the server end the connection's TCP
 * socket without a close frame, so that the page can show a resume.
 */
class FeedHandler extends TextWebSocketHandler {

	private static final Log logger = LogFactory.getLog(FeedHandler.class);

	/**
	 * Shortest time between two pacing ticks: at higher rates one tick sends everything
	 * due since the last, so pacing costs at most 100 ticks a second per feed.
	 */
	private static final long MIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	private final SampleSenders senders;

	private final ScheduledExecutorService ticker;

	private final Map<String, Feed> feeds = new ConcurrentHashMap<>();

	private final TransportCuts cuts;

	/**
	 * @param senders runs the sends, which may wait for the client
	 * @param ticker paces the feeds that have a rate; its tasks never wait
	 * @param cuts ends connections without a close frame when a client asks
	 */
	FeedHandler(SampleSenders senders, ScheduledExecutorService ticker, TransportCuts cuts) {
		this.senders = senders;
		this.ticker = ticker;
		this.cuts = cuts;
	}

	@Override
	protected void handleTextMessage(WebSocketSession session, TextMessage message) {
		if ("cut".equals(message.getPayload())) {
			logger.info("Feed on session " + session.getId() + ": cutting " + this.cuts.cut(session)
					+ " connection(s) as the client asked");
		}
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession session) throws IOException {
		FeedParameters parameters;
		try {
			parameters = FeedParameters.from(session.getUri());
		}
		catch (IllegalArgumentException ex) {
			session.close(CloseStatus.POLICY_VIOLATION.withReason(ex.getMessage()));
			return;
		}
		Feed feed = new Feed(session, parameters);
		this.feeds.put(session.getId(), feed);
		feed.start();
	}

	@Override
	public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
		Feed feed = this.feeds.remove(session.getId());
		if (feed != null) {
			feed.stop();
			logger.info("Feed on session " + session.getId() + " ended with " + status + " after " + feed.sent()
					+ " of " + feed.parameters.count() + " messages");
		}
	}

	/**
	 * Return how many feeds are running or waiting for their close.
	 * @return the number of open feeds
	 */
	int openFeeds() {
		return this.feeds.size();
	}

	private final class Feed {

		private final WebSocketSession session;

		private final FeedParameters parameters;

		private final long startNanos;

		/** Held by the one thread sending: ticks that find it taken leave the catching up to it. */
		private final AtomicBoolean sending = new AtomicBoolean();

		/** Written only by the thread holding {@link #sending}. */
		private volatile int sent;

		private volatile boolean stopped;

		private ScheduledFuture<?> ticks;

		Feed(WebSocketSession session, FeedParameters parameters) {
			this.session = session;
			this.parameters = parameters;
			// A session another node had (store=redis): go on from its last sent message, at the same pace.
			this.sent = (session instanceof ResumableSession resumable && resumable.getOrigin() != null)
					? (int) Math.min(resumable.getLastSent(), parameters.count()) : 0;
			this.startNanos = System.nanoTime() - (parameters.paced() ? this.sent * parameters.interval().toNanos() : 0);
			if (this.sent > 0) {
				logger.info("Feed on session " + session.getId() + " continues at index " + this.sent + ", from "
						+ ((ResumableSession) session).getOrigin().describe());
			}
		}

		synchronized void start() throws IOException {
			if (!this.parameters.paced()) {
				if (!tick()) {
					stop();
					this.session.close(SampleSenders.BUSY);
				}
				return;
			}
			long period = Math.max(this.parameters.interval().toNanos(), MIN_TICK_NANOS);
			this.ticks = FeedHandler.this.ticker.scheduleAtFixedRate(this::tick, 0, period, TimeUnit.NANOSECONDS);
		}

		synchronized void stop() {
			this.stopped = true;
			if (this.ticks != null) {
				this.ticks.cancel(false);
			}
		}

		int sent() {
			return this.sent;
		}

		/**
		 * Hand the sending to a sender thread, unless one is still at it or none is free
		 * (a paced feed catches up at a later tick).
		 * @return whether a sender is at work for this feed
		 */
		private boolean tick() {
			if (!this.sending.compareAndSet(false, true)) {
				return true;
			}
			if (FeedHandler.this.senders.tryRun(this::sendDue)) {
				return true;
			}
			this.sending.set(false);
			return false;
		}

		private void sendDue() {
			try {
				int due = due();
				while (!this.stopped && this.sent < due) {
					// Waits while the send buffer (or, with wsdrain.v1, the replay buffer) is full.
					this.session.sendMessage(NumberedMessages.numbered(this.sent, this.parameters.size()));
					this.sent++;
				}
				if (!this.stopped && this.sent == this.parameters.count()) {
					stop();
					// A ResumableSession closes once the client has acknowledged everything (or at
					// the ack timeout), a plain wsdrain session once its queue is written.
					this.session.close(CloseStatus.NORMAL);
				}
			}
			catch (IOException | RuntimeException ex) {
				// The session is closing or gone: the client closed it, or wsdrain did because the
				// client left the buffer full. Nothing more can be sent.
				logger.debug("Feed on session " + this.session.getId() + " stopped at index " + this.sent + ": " + ex);
				stop();
			}
			finally {
				this.sending.set(false);
			}
		}

		/** How many messages should have been sent by now: all of them when not paced. */
		private int due() {
			if (!this.parameters.paced()) {
				return this.parameters.count();
			}
			// The first message goes at once, then one every interval.
			long elapsed = System.nanoTime() - this.startNanos;
			long due = elapsed / this.parameters.interval().toNanos() + 1;
			return (int) Math.min(due, this.parameters.count());
		}

	}

}

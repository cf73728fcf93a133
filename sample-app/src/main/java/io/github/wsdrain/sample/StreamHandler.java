package io.github.wsdrain.sample;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.github.wsdrain.server.GoingAwayHandler;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * {@code /demo/stream} and {@code /plain/stream}: numbered messages in the burst format,
 * one every {@code interval} milliseconds (default 10) of {@code size} characters
 * (default 64), until the application shuts down. Before wsdrain closes the session
 * (shutdown or drain), the stream stops and sends {@code END|K} as its last message, K
 * being the number of numbered messages sent before it. Stock Spring never asks, so
 * {@code /plain/stream} just stops.
 */
class StreamHandler extends TextWebSocketHandler implements GoingAwayHandler {

	private static final Log logger = LogFactory.getLog(StreamHandler.class);

	private static final int MAX_INTERVAL = 60_000;

	private final UnaryOperator<WebSocketSession> sessionDecorator;

	private final ScheduledExecutorService scheduler;

	private final SampleSenders senders;

	private final Map<String, Stream> streams = new ConcurrentHashMap<>();

	/** The connections as the handler got them, for the page's stand-in for a stopping connector. */
	private final Map<String, WebSocketSession> connections = new ConcurrentHashMap<>();

	private volatile Runnable beforeGoodbye = () -> {
	};

	/**
	 * @param sessionDecorator what the handler sends through: the session as given, or
	 * Spring's {@code ConcurrentWebSocketSessionDecorator} for the plain endpoint
	 * @param scheduler paces the streams; its tasks never wait for a client
	 * @param senders run the sends, which may wait for a client that does not read
	 */
	StreamHandler(UnaryOperator<WebSocketSession> sessionDecorator, ScheduledExecutorService scheduler,
			SampleSenders senders) {
		this.sessionDecorator = sessionDecorator;
		this.scheduler = scheduler;
		this.senders = senders;
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession session) throws IOException {
		int interval;
		int size;
		try {
			var query = UriComponentsBuilder.fromUri(session.getUri()).build().getQueryParams();
			interval = intParameter(query.getFirst("interval"), 10, 1, "interval");
			size = intParameter(query.getFirst("size"), 64, BurstParameters.MIN_SIZE, "size");
			BurstParameters.requireSize(size);
			BurstParameters.require(interval <= MAX_INTERVAL, "interval must be at most " + MAX_INTERVAL);
		}
		catch (IllegalArgumentException ex) {
			session.close(CloseStatus.POLICY_VIOLATION.withReason(ex.getMessage()));
			return;
		}
		this.connections.put(session.getId(), session);
		Stream stream = new Stream(session.getId(), this.sessionDecorator.apply(session), size);
		this.streams.put(session.getId(), stream);
		stream.start(this.scheduler, this.senders, interval);
	}

	@Override
	public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
		this.connections.remove(session.getId());
		Stream stream = this.streams.remove(session.getId());
		if (stream != null) {
			stream.stop();
		}
	}

	/**
	 * Return the open connections.
	 * @return a snapshot
	 */
	Collection<WebSocketSession> connections() {
		return List.copyOf(this.connections.values());
	}

	/**
	 * Stop the stream and send {@code END|K}, K the number of numbered messages sent.
	 */
	@Override
	public void beforeShutdown(WebSocketSession session) throws IOException {
		this.beforeGoodbye.run();
		Stream stream = this.streams.get(session.getId());
		if (stream != null) {
			stream.end(session);
		}
	}

	/**
	 * Test seam: run something in {@link #beforeShutdown} before the goodbye, for
	 * example to hold a drain open while a test looks at the server.
	 * @param hook what to run
	 */
	void beforeGoodbye(Runnable hook) {
		this.beforeGoodbye = hook;
	}

	/**
	 * Return how many streams are running.
	 * @return the number of open streams
	 */
	int openStreams() {
		return this.streams.size();
	}

	private static int intParameter(String value, int defaultValue, int min, String name) {
		if (value == null) {
			return defaultValue;
		}
		int parsed;
		try {
			parsed = Integer.parseInt(value);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
		}
		if (parsed < min) {
			throw new IllegalArgumentException(name + " must be at least " + min);
		}
		return parsed;
	}

	private static final class Stream {

		private final String id;

		private final WebSocketSession session;

		private final int size;

		private long sent;

		private boolean stopped;

		private ScheduledFuture<?> task;

		/** Held by the one sender at work for this stream: ticks that find it taken are skipped. */
		private final AtomicBoolean sending = new AtomicBoolean();

		Stream(String id, WebSocketSession session, int size) {
			this.id = id;
			this.session = session;
			this.size = size;
		}

		synchronized void start(ScheduledExecutorService scheduler, SampleSenders senders, int interval) {
			this.task = scheduler.scheduleAtFixedRate(() -> tick(senders), 0, interval, TimeUnit.MILLISECONDS);
		}

		/**
		 * Hand the next message to a sender, unless one is still at it (the client is slow)
		 * or none is free: a stalled client delays its own stream only.
		 */
		private void tick(SampleSenders senders) {
			if (this.sending.compareAndSet(false, true) && !senders.tryRun(this::sendNextAndRelease)) {
				this.sending.set(false);
			}
		}

		private void sendNextAndRelease() {
			try {
				sendNext();
			}
			finally {
				this.sending.set(false);
			}
		}

		private synchronized void sendNext() {
			if (this.stopped) {
				return;
			}
			try {
				this.session.sendMessage(NumberedMessages.numbered(this.sent, this.size));
				this.sent++;
			}
			catch (IOException | RuntimeException ex) {
				logger.debug("Stream on session " + this.id + " stopped after " + this.sent + " messages: " + ex);
				stop();
			}
		}

		synchronized void stop() {
			this.stopped = true;
			if (this.task != null) {
				this.task.cancel(false);
			}
		}

		/** Stop, then send {@code END|K} through the session wsdrain handed over. */
		synchronized void end(WebSocketSession drainingSession) throws IOException {
			if (this.stopped) {
				return;
			}
			stop();
			drainingSession.sendMessage(new TextMessage("END|" + this.sent));
		}

	}

}

package io.github.wsdrain.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandler;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.support.ExecutorChannelInterceptor;
import org.springframework.messaging.support.ExecutorSubscribableChannel;

/**
 * Counts the deliveries an executor-backed channel has accepted and its handlers have not
 * finished, in all and per session: exact where a thread pool's task counts are only
 * approximate (a task a worker has just taken is in neither its queue nor its active
 * count).
 * <p>
 * With publish order preserved, Spring hands a session's next message to the channel
 * while the previous one is still being handled, so a session's count stays above zero
 * until its ordered queue is empty.
 */
final class OutboundInFlight implements ExecutorChannelInterceptor {

	private final ExecutorSubscribableChannel channel;

	private final AtomicLong inFlight = new AtomicLong();

	private final Map<String, Pending> sessions = new ConcurrentHashMap<>();

	OutboundInFlight(ExecutorSubscribableChannel channel) {
		this.channel = channel;
	}

	@Override
	public Message<?> preSend(Message<?> message, MessageChannel channel) {
		if (this.channel.getExecutor() != null) {
			// One task per subscriber, each ends with afterMessageHandled.
			int tasks = this.channel.getSubscribers().size();
			this.inFlight.addAndGet(tasks);
			String sessionId = SimpMessageHeaderAccessor.getSessionId(message.getHeaders());
			if (sessionId != null) {
				this.sessions.compute(sessionId, (id, pending) -> {
					Pending counted = (pending != null) ? pending : new Pending();
					counted.count += tasks;
					return counted;
				});
			}
		}
		return message;
	}

	@Override
	public void afterSendCompletion(Message<?> message, MessageChannel channel, boolean sent,
			@Nullable Exception ex) {
		if (this.channel.getExecutor() != null && (!sent || ex != null)) {
			int tasks = this.channel.getSubscribers().size();
			this.inFlight.addAndGet(-tasks);
			finished(message, tasks);
		}
	}

	@Override
	public void afterMessageHandled(Message<?> message, MessageChannel channel, MessageHandler handler,
			@Nullable Exception ex) {
		this.inFlight.decrementAndGet();
		finished(message, 1);
	}

	long get() {
		return this.inFlight.get();
	}

	/**
	 * Return a future completed once every message the channel has accepted for the
	 * session has been handled: at once if none is in flight.
	 * @param sessionId the session
	 * @return the future
	 */
	CompletableFuture<Void> delivered(String sessionId) {
		CompletableFuture<Void> done = new CompletableFuture<>();
		this.sessions.compute(sessionId, (id, pending) -> {
			if (pending == null) {
				done.complete(null);
			}
			else {
				pending.waiters.add(done);
			}
			return pending;
		});
		return done;
	}

	private void finished(Message<?> message, int tasks) {
		String sessionId = SimpMessageHeaderAccessor.getSessionId(message.getHeaders());
		if (sessionId == null) {
			return;
		}
		List<CompletableFuture<Void>> idle = new ArrayList<>();
		this.sessions.computeIfPresent(sessionId, (id, pending) -> {
			pending.count -= tasks;
			if (pending.count > 0) {
				return pending;
			}
			idle.addAll(pending.waiters);
			return null;
		});
		// Outside the map's lock: what waits may run right here.
		idle.forEach((waiter) -> waiter.complete(null));
	}

	/** What is in flight for one session, and who waits for it to reach zero; guarded by the map. */
	private static final class Pending {

		private long count;

		private final List<CompletableFuture<Void>> waiters = new ArrayList<>();

	}

}

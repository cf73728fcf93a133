package io.github.wsdrain.server;

import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandler;
import org.springframework.messaging.support.ExecutorChannelInterceptor;
import org.springframework.messaging.support.ExecutorSubscribableChannel;

/**
 * Counts the deliveries an executor-backed channel has accepted and its handlers have not
 * finished: exact where a thread pool's task counts are only approximate (a task a worker
 * has just taken is in neither its queue nor its active count).
 */
final class OutboundInFlight implements ExecutorChannelInterceptor {

	private final ExecutorSubscribableChannel channel;

	private final AtomicLong inFlight = new AtomicLong();

	OutboundInFlight(ExecutorSubscribableChannel channel) {
		this.channel = channel;
	}

	@Override
	public Message<?> preSend(Message<?> message, MessageChannel channel) {
		if (this.channel.getExecutor() != null) {
			// One task per subscriber, each ends with afterMessageHandled.
			this.inFlight.addAndGet(this.channel.getSubscribers().size());
		}
		return message;
	}

	@Override
	public void afterSendCompletion(Message<?> message, MessageChannel channel, boolean sent,
			@Nullable Exception ex) {
		if (this.channel.getExecutor() != null && (!sent || ex != null)) {
			this.inFlight.addAndGet(-this.channel.getSubscribers().size());
		}
	}

	@Override
	public void afterMessageHandled(Message<?> message, MessageChannel channel, MessageHandler handler,
			@Nullable Exception ex) {
		this.inFlight.decrementAndGet();
	}

	long get() {
		return this.inFlight.get();
	}

}

package io.github.wsdrain.server;

import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.SubscribableChannel;
import org.springframework.messaging.support.ExecutorSubscribableChannel;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.messaging.SubProtocolWebSocketHandler;

/**
 * The STOMP (sub-protocol) handler without Spring's buffering decorator for sessions
 * that wsdrain already drains: that decorator discards its buffer on close, and our
 * session is already safe for concurrent sends.
 * <p>
 * Before a going-away close (shutdown or drain), it lets the outbound channel deliver
 * what it had already been handed, so that messages published before the drain are
 * queued on the sessions and written before the close frame.
 *
 * @see StompDrainingPostProcessor
 */
public class DrainingSubProtocolWebSocketHandler extends SubProtocolWebSocketHandler implements GoingAwayHandler {

	private static final long MAX_OUTBOUND_WAIT_SECONDS = 60;

	private static final long OUTBOUND_POLL_MILLIS = 5;

	private final SubscribableChannel clientOutboundChannel;

	public DrainingSubProtocolWebSocketHandler(MessageChannel clientInboundChannel,
			SubscribableChannel clientOutboundChannel) {
		super(clientInboundChannel, clientOutboundChannel);
		this.clientOutboundChannel = clientOutboundChannel;
	}

	@Override
	protected WebSocketSession decorateSession(WebSocketSession session) {
		return (session instanceof DrainingWebSocketSession) ? session : super.decorateSession(session);
	}

	/**
	 * Wait until the outbound channel's executor has run every message it had been
	 * handed when the call began, so that they are in the session's queue before the
	 * close. The wait ends at the shutdown timeout at the latest, which interrupts it.
	 */
	@Override
	public void beforeShutdown(WebSocketSession session) throws InterruptedException {
		ThreadPoolExecutor executor = outboundExecutor();
		if (executor == null) {
			return;
		}
		long submitted = executor.getTaskCount();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_OUTBOUND_WAIT_SECONDS);
		while (executor.getCompletedTaskCount() < submitted && !executor.isTerminated()
				&& System.nanoTime() - deadline < 0) {
			Thread.sleep(OUTBOUND_POLL_MILLIS);
		}
	}

	private @Nullable ThreadPoolExecutor outboundExecutor() {
		if (this.clientOutboundChannel instanceof ExecutorSubscribableChannel channel) {
			Executor executor = channel.getExecutor();
			if (executor instanceof ThreadPoolTaskExecutor taskExecutor) {
				return taskExecutor.getThreadPoolExecutor();
			}
			if (executor instanceof ThreadPoolExecutor threadPool) {
				return threadPool;
			}
		}
		return null;
	}

}

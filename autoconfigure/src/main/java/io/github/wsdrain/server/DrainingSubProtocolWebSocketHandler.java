package io.github.wsdrain.server;

import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.session.StompSessionAdapter;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.SubscribableChannel;
import org.springframework.messaging.support.ExecutorSubscribableChannel;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.messaging.SubProtocolWebSocketHandler;

/**
 * The STOMP (sub-protocol) handler without Spring's buffering decorator for sessions
 * that wsdrain already drains: that decorator discards its buffer on close, and our
 * session is already safe for concurrent sends. A {@link StompSessionAdapter} gives the
 * draining session the decorator type STOMP casts to.
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

	private final @Nullable OutboundInFlight outboundInFlight;

	public DrainingSubProtocolWebSocketHandler(MessageChannel clientInboundChannel,
			SubscribableChannel clientOutboundChannel) {
		super(clientInboundChannel, clientOutboundChannel);
		if (clientOutboundChannel instanceof ExecutorSubscribableChannel channel) {
			this.outboundInFlight = new OutboundInFlight(channel);
			channel.addInterceptor(this.outboundInFlight);
		}
		else {
			this.outboundInFlight = null;
		}
	}

	@Override
	protected WebSocketSession decorateSession(WebSocketSession session) {
		return (session instanceof DrainingWebSocketSession draining) ? new StompSessionAdapter(draining)
				: super.decorateSession(session);
	}

	/**
	 * Wait until the outbound channel has delivered every message it had accepted, so
	 * that they are in the session's queue before the close. The count must stay at zero
	 * for two polls: with publish order preserved, Spring releases the next message of a
	 * session just after the previous one is handled. The wait ends at the shutdown
	 * timeout at the latest, which interrupts it.
	 */
	@Override
	public void beforeShutdown(WebSocketSession session) throws InterruptedException {
		if (this.outboundInFlight == null) {
			return;
		}
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_OUTBOUND_WAIT_SECONDS);
		int idlePolls = 0;
		while (idlePolls < 2 && System.nanoTime() - deadline < 0) {
			idlePolls = (this.outboundInFlight.get() <= 0) ? idlePolls + 1 : 0;
			Thread.sleep(OUTBOUND_POLL_MILLIS);
		}
	}

}

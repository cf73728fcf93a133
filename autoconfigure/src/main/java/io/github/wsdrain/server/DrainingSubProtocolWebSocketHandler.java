package io.github.wsdrain.server;

import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.session.DropReason;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessagingException;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.broker.OrderedMessageChannelDecorator;
import org.springframework.messaging.SubscribableChannel;
import org.springframework.messaging.support.ExecutorSubscribableChannel;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.messaging.SubProtocolWebSocketHandler;

/**
 * The STOMP (sub-protocol) handler without Spring's buffering decorator for sessions
 * that wsdrain already drains: that decorator discards its buffer on close, and our
 * session is already safe for concurrent sends.
 * <p>
 * Before a going-away close (shutdown or drain), it lets the outbound channel deliver
 * what it had already been handed, so that messages published before the drain are
 * queued on the sessions and written before the close frame. A close of one session
 * (by the application, or by Spring) waits the same way for what the channel holds for
 * that session, at most the drain timeout.
 * <p>
 * A message the channel delivers after its session began to close, or after it ended,
 * reaches no one: it is counted ({@link DropReason}) and logged at WARN, rate-limited,
 * since Spring's outbound threads, not the application, were sending it.
 *
 * @see StompDrainingPostProcessor
 */
public class DrainingSubProtocolWebSocketHandler extends SubProtocolWebSocketHandler implements GoingAwayHandler {

	private static final long MAX_OUTBOUND_WAIT_SECONDS = 60;

	private static final long OUTBOUND_POLL_MILLIS = 5;

	private final @Nullable OutboundInFlight outboundInFlight;

	private final ObjectProvider<DrainingSessionRegistry> registry;

	/** Every session this handler serves, drained or not, by id. */
	private final Map<String, WebSocketSession> sessions = new ConcurrentHashMap<>();

	public DrainingSubProtocolWebSocketHandler(MessageChannel clientInboundChannel,
			SubscribableChannel clientOutboundChannel, ObjectProvider<DrainingSessionRegistry> registry) {
		super(clientInboundChannel, clientOutboundChannel);
		this.registry = registry;
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
		WebSocketSession decorated = session;
		if (session instanceof DrainingWebSocketSession draining) {
			OutboundInFlight inFlight = this.outboundInFlight;
			if (inFlight != null) {
				draining.setCloseDelay(() -> inFlight.delivered(draining.getId()));
			}
		}
		else {
			decorated = super.decorateSession(session);
		}
		this.sessions.put(session.getId(), decorated);
		return decorated;
	}

	@Override
	public void afterConnectionClosed(WebSocketSession session, CloseStatus closeStatus) throws Exception {
		this.sessions.remove(session.getId());
		super.afterConnectionClosed(session, closeStatus);
	}

	/**
	 * Deliver a message from the outbound channel; count and report a MESSAGE frame whose
	 * session is closing or gone, and let Spring release the session's next message so
	 * that the rest are counted too.
	 */
	@Override
	public void handleMessage(Message<?> message) throws MessagingException {
		String sessionId = SimpMessageHeaderAccessor.getSessionId(message.getHeaders());
		if (sessionId != null
				&& SimpMessageHeaderAccessor.getMessageType(message.getHeaders()) == SimpMessageType.MESSAGE) {
			WebSocketSession session = this.sessions.get(sessionId);
			DropReason undelivered = (session == null) ? DropReason.NO_SESSION
					: ((session instanceof DrainingWebSocketSession draining
							&& draining.getState() != DrainingWebSocketSession.State.OPEN) ? DropReason.SESSION_CLOSING
									: null);
			if (undelivered != null) {
				DrainingSessionRegistry sessionRegistry = this.registry.getIfAvailable();
				if (sessionRegistry != null) {
					sessionRegistry.messageUndelivered(sessionId, undelivered);
				}
				Runnable releaseNext = OrderedMessageChannelDecorator.getNextMessageTask(message);
				if (releaseNext != null) {
					releaseNext.run();
				}
				return;
			}
		}
		super.handleMessage(message);
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

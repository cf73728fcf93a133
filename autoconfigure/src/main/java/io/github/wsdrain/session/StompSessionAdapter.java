package io.github.wsdrain.session;

import java.io.IOException;
import java.util.function.Consumer;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;

/**
 * A {@link DrainingWebSocketSession} in the type Spring's STOMP support requires: with
 * {@code preservePublishOrder} it casts its sessions to
 * {@link ConcurrentWebSocketSessionDecorator}. Every call goes to the draining session;
 * none of the decorator's own buffering is used.
 */
public final class StompSessionAdapter extends ConcurrentWebSocketSessionDecorator {

	private final DrainingWebSocketSession session;

	/**
	 * The callback STOMP set for the message its thread sends next. Per thread: a frame
	 * sent meanwhile by another thread (CONNECTED, RECEIPT) must not release the next
	 * ordered message before this one is accepted.
	 */
	private final ThreadLocal<Consumer<WebSocketMessage<?>>> nextMessageCallback = new ThreadLocal<>();

	public StompSessionAdapter(DrainingWebSocketSession session) {
		super(session, saturatedInt(session.getSettings().sendTimeLimit().toMillis()),
				saturatedInt(session.getSettings().sendBufferSize().toBytes()));
		this.session = session;
	}

	@Override
	public void sendMessage(WebSocketMessage<?> message) throws IOException {
		Consumer<WebSocketMessage<?>> callback = this.nextMessageCallback.get();
		this.nextMessageCallback.remove();
		this.session.sendMessage(message, callback);
	}

	/**
	 * Set a callback invoked with the next message this thread sends, once it is
	 * accepted, before it is written: STOMP sets one right before each message it sends
	 * with publish order preserved, to release the session's next message.
	 */
	@Override
	public void setMessageCallback(Consumer<WebSocketMessage<?>> callback) {
		this.nextMessageCallback.set(callback);
	}

	@Override
	public int getBufferSize() {
		return saturatedInt(this.session.getQueuedBytes());
	}

	@Override
	public long getTimeSinceSendStarted() {
		return this.session.getTimeSinceWriteStarted();
	}

	@Override
	public void close(CloseStatus status) {
		this.session.close(status);
	}

	/**
	 * Return the draining session this adapter stands in for.
	 * @return the draining session
	 */
	public DrainingWebSocketSession getDrainingSession() {
		return this.session;
	}

	private static int saturatedInt(long value) {
		return (int) Math.min(value, Integer.MAX_VALUE);
	}

	@Override
	public String toString() {
		return "StompSessionAdapter[" + this.session + "]";
	}

}

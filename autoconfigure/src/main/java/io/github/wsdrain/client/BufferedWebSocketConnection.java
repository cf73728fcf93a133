package io.github.wsdrain.client;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.springframework.util.Assert;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * A WebSocket connection opened by a {@link BufferedWebSocketClient}, read by pulling.
 * <p>
 * <b>Guarantee:</b> every message the transport delivered before the connection ended
 * (close frame, end of stream without close frame, reset, or a close by this side) is
 * returned by {@link #receive()} in arrival order; only when none is left does
 * {@code receive()} throw a {@link ConnectionClosedException} with the close code, the
 * reason and whether a close frame was received (an end without close frame reports
 * 1006). The only exceptions are the drops that an {@link OverflowPolicy} other than
 * {@code BLOCK} asks for, which {@link #getDroppedMessages()} counts. A
 * {@link ReliableWebSocketConnection} extends this across lost connections.
 * <p>
 * Messages are returned whole: fragments are assembled here (the connection's handler
 * {@link WebSocketHandler#supportsPartialMessages() supports partial messages}, so the
 * container's own message size limit does not apply). A message larger than the buffer's
 * byte bound closes the connection with 1009. Pong messages are not buffered.
 * <p>
 * {@code receive} may be called from one or several threads; {@code send} methods are
 * safe from several threads and keep each thread's order; {@link #close()} waits for
 * sends in progress, sends the close frame and waits for the peer's reply up to the close
 * timeout.
 * <p>
 * With {@link OverflowPolicy#BLOCK} the buffer stays within its bounds once the opening
 * handshake has completed. Messages that the container reads together with the handshake
 * response are delivered on the thread that completes the handshake (Tomcat and Jetty
 * both do this), which must not be held: those few are accepted beyond the bound (the
 * peak gauges show it).
 * <p>
 * Close connections when done: with {@link OverflowPolicy#BLOCK}, a full buffer nobody
 * reads holds one of the container's reading threads until {@link #close()}.
 */
public interface BufferedWebSocketConnection extends AutoCloseable {

	/**
	 * Return the next message, waiting up to the client's receive timeout.
	 * @return the next whole message, a {@link TextMessage} or a {@link BinaryMessage}
	 * @throws ConnectionClosedException if the connection has ended and every message
	 * received before has been returned
	 * @throws ReceiveTimeoutException if no message arrived in time; the connection stays
	 * usable
	 * @throws InterruptedException if interrupted while waiting
	 */
	WebSocketMessage<?> receive() throws InterruptedException;

	/**
	 * Return the next message, waiting up to the given timeout.
	 * @param timeout how long to wait; zero or negative only returns a message already
	 * buffered
	 * @return the next whole message, a {@link TextMessage} or a {@link BinaryMessage}
	 * @throws ConnectionClosedException if the connection has ended and every message
	 * received before has been returned
	 * @throws ReceiveTimeoutException if no message arrived in time; the connection stays
	 * usable
	 * @throws InterruptedException if interrupted while waiting
	 */
	WebSocketMessage<?> receive(Duration timeout) throws InterruptedException;

	/**
	 * Return the messages as a sequential stream, each one waited for up to the client's
	 * receive timeout. The stream ends normally when the connection closed cleanly (a
	 * close frame with 1000 or 1001 was received, see
	 * {@link ConnectionClosedException#isNormalClosure()}), after every buffered message.
	 * Otherwise it throws the {@link ConnectionClosedException} (for example 1006 after
	 * an end without close frame), or a {@link ReceiveTimeoutException}, or a
	 * {@link CancellationException} if the thread is interrupted (its interrupt status is
	 * kept).
	 * @return the stream of messages in arrival order
	 */
	default Stream<WebSocketMessage<?>> messages() {
		Spliterator<WebSocketMessage<?>> spliterator = new Spliterators.AbstractSpliterator<>(Long.MAX_VALUE,
				Spliterator.ORDERED | Spliterator.NONNULL) {

			private boolean done;

			@Override
			public boolean tryAdvance(Consumer<? super WebSocketMessage<?>> action) {
				if (this.done) {
					return false;
				}
				WebSocketMessage<?> message;
				try {
					message = receive();
				}
				catch (ConnectionClosedException ex) {
					if (ex.isNormalClosure()) {
						this.done = true;
						return false;
					}
					throw ex;
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					CancellationException cancelled = new CancellationException(
							"Interrupted while receiving from " + getUri());
					cancelled.initCause(ex);
					throw cancelled;
				}
				action.accept(message);
				return true;
			}

		};
		return StreamSupport.stream(spliterator, false);
	}

	/**
	 * Send a message. Safe to call from several threads: messages are written one at a
	 * time, and each thread's messages keep their order. Returns once the container has
	 * written the message.
	 * @param message the message to send
	 * @throws ConnectionClosedException if the connection has ended
	 * @throws IllegalStateException if {@link #close()} has been called
	 * @throws java.io.UncheckedIOException if the container cannot write the message
	 */
	void send(WebSocketMessage<?> message);

	/**
	 * Send a text message, see {@link #send(WebSocketMessage)}.
	 * @param text the text to send
	 */
	default void sendText(CharSequence text) {
		Assert.notNull(text, "Text must not be null");
		send(new TextMessage(text));
	}

	/**
	 * Send a binary message, see {@link #send(WebSocketMessage)}.
	 * @param payload the bytes to send
	 */
	default void sendBinary(byte[] payload) {
		Assert.notNull(payload, "Payload must not be null");
		send(new BinaryMessage(payload));
	}

	/**
	 * Send a binary message, see {@link #send(WebSocketMessage)}.
	 * @param payload the bytes to send, from position to limit
	 */
	default void sendBinary(ByteBuffer payload) {
		Assert.notNull(payload, "Payload must not be null");
		send(new BinaryMessage(payload));
	}

	/**
	 * Close normally (1000), see {@link #close(CloseStatus)}.
	 */
	@Override
	default void close() {
		close(CloseStatus.NORMAL);
	}

	/**
	 * Close the connection: wait for sends in progress (later sends fail), send the close
	 * frame, wait for the peer's close frame up to the close timeout, then end the
	 * connection (with Tomcat's client the socket is closed even if the peer never
	 * answered). Messages still buffered stay receivable; {@link #receive()} then throws a
	 * {@link ConnectionClosedException}: this close code and {@code closeFrameReceived}
	 * if the peer answered, 1006 if it did not. Calling it again, or after the peer
	 * closed, does nothing more.
	 * @param status the close code and reason to send
	 */
	void close(CloseStatus status);

	/**
	 * Return the URI this connection was opened to.
	 * @return the URI
	 */
	URI getUri();

	/**
	 * Return the underlying Spring session, for its attributes, headers or sub-protocol.
	 * Sending or closing through it bypasses this connection's ordering.
	 * @return the session (of the current transport connection, for a reliable one)
	 */
	WebSocketSession getSession();

	/**
	 * Return whether messages can be sent: neither side has closed.
	 * @return whether the connection is open
	 */
	boolean isOpen();

	/**
	 * Return whether the connection has ended for good. Buffered messages may remain
	 * to be received.
	 * @return whether the connection has ended
	 */
	boolean isClosed();

	/**
	 * Return the number of messages waiting to be received.
	 * @return the buffered message count
	 */
	int getBufferedMessages();

	/**
	 * Return the size of the messages waiting to be received (text counted in UTF-8).
	 * @return the buffered bytes
	 */
	long getBufferedBytes();

	/**
	 * Return the most messages ever buffered at once on this connection.
	 * @return the peak buffered message count
	 */
	int getPeakBufferedMessages();

	/**
	 * Return the most bytes ever buffered at once on this connection.
	 * @return the peak buffered bytes
	 */
	long getPeakBufferedBytes();

	/**
	 * Return the number of whole messages received from the transport, dropped ones
	 * included.
	 * @return the received message count
	 */
	long getReceivedMessages();

	/**
	 * Return the number of received messages discarded: by the overflow policy, or
	 * arriving after the connection ended (after a {@code FAIL} overflow, or while this
	 * side closes with a full buffer).
	 * @return the dropped message count
	 */
	long getDroppedMessages();

}

package io.github.wsdrain.session;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.handler.WebSocketSessionDecorator;

/**
 * What the containers offer a writer beyond Spring's one-message-at-a-time session: several
 * messages handed over as one write (Tomcat: batching on the
 * {@code RemoteEndpoint.Basic}, flushed at the end; Jetty: asynchronous sends its flusher
 * gathers into one socket write, awaited at the end), and Tomcat's own bound on a
 * blocking write. Other containers write one message at a time.
 */
final class ContainerWrites {

	/** Tomcat's per-session bound on a blocking write, in milliseconds. */
	private static final String TOMCAT_BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

	/** Tomcat's per-session bound on writing a close frame with any code but 1000, in milliseconds. */
	private static final String TOMCAT_ABNORMAL_CLOSE_SEND_TIMEOUT =
			"org.apache.tomcat.websocket.ABNORMAL_SESSION_CLOSE_SEND_TIMEOUT";

	private static final boolean JAKARTA_API_PRESENT = ClassUtils.isPresent("jakarta.websocket.Session",
			ContainerWrites.class.getClassLoader());

	private static final boolean JETTY_API_PRESENT = ClassUtils.isPresent("org.eclipse.jetty.websocket.api.Session",
			ContainerWrites.class.getClassLoader());

	private ContainerWrites() {
	}

	/**
	 * Bound the container's own blocking writes, where it has such a bound, a little
	 * past the send time limit: wsdrain's write watchdog ends the session first, the
	 * container's bound is the backstop that frees the writer even if cutting the
	 * connection does not. The close frame gets the same bound: Tomcat gives a close with
	 * any code but 1000 (a graceful shutdown's 1001 included) 50 ms, counted from before it
	 * takes the connection's write permit, then drops the frame and cuts the connection;
	 * with thousands of sessions closing at once on a busy machine, the thread that writes
	 * a close frame can wait longer than that for a core, and its peer would never get the
	 * frame the drain was for.
	 * @param session the container's session
	 * @param bound the container's bound
	 */
	static void boundBlockingWrites(WebSocketSession session, Duration bound) {
		if (JAKARTA_API_PRESENT && nativeSession(session) instanceof jakarta.websocket.Session standard) {
			standard.getUserProperties().put(TOMCAT_BLOCKING_SEND_TIMEOUT, bound.toMillis());
			standard.getUserProperties().put(TOMCAT_ABNORMAL_CLOSE_SEND_TIMEOUT, bound.toMillis());
		}
	}

	/**
	 * Give the close frame Tomcat's own default bound (50 ms) again, for a connection cut
	 * because a write is stuck on its peer: the close waits for that write's permit, and
	 * only a short bound makes Tomcat close the socket, which frees the stuck writer.
	 * @param session the container's session
	 */
	static void restoreCloseFrameBound(WebSocketSession session) {
		if (JAKARTA_API_PRESENT && nativeSession(session) instanceof jakarta.websocket.Session standard) {
			standard.getUserProperties().remove(TOMCAT_ABNORMAL_CLOSE_SEND_TIMEOUT);
		}
	}

	/**
	 * Start a batch: messages handed to it go to the container as one write once
	 * {@link Batch#flush()} is called.
	 * @param session the container's session
	 * @return the batch, or {@code null} when the container takes one message at a time
	 * @throws IOException if the container refused to start a batch
	 */
	static @Nullable Batch startBatch(WebSocketSession session) throws IOException {
		Object nativeSession = nativeSession(session);
		if (JETTY_API_PRESENT && nativeSession instanceof org.eclipse.jetty.websocket.api.Session jetty) {
			return new JettyBatch(jetty);
		}
		if (JAKARTA_API_PRESENT && nativeSession instanceof jakarta.websocket.Session standard) {
			return StandardBatch.start(session, standard);
		}
		return null;
	}

	/** The container's session, {@code null} before Spring's adapter has one (no container, no batching). */
	private static @Nullable Object nativeSession(WebSocketSession session) {
		return (WebSocketSessionDecorator.unwrap(session) instanceof NativeWebSocketSession nativeSession)
				? nativeSession.getNativeSession(Object.class) : null;
	}

	/**
	 * Messages handed to the container together.
	 */
	interface Batch {

		/**
		 * Hand a message to the container; it may not be written until {@link #flush()}.
		 * @param message the message
		 * @throws IOException if the container refused it
		 */
		void add(WebSocketMessage<?> message) throws IOException;

		/**
		 * Write what was added and return once the container has it all.
		 * @throws IOException if the write failed: what was added may be lost
		 */
		void flush() throws IOException;

		/**
		 * End the batch after a failure, without throwing.
		 */
		void abandon();

	}

	/** The jakarta.websocket API (Tomcat): batching on the basic remote, sent through Spring's adapter. */
	private static final class StandardBatch implements Batch {

		private final WebSocketSession session;

		private final jakarta.websocket.RemoteEndpoint.Basic remote;

		private StandardBatch(WebSocketSession session, jakarta.websocket.RemoteEndpoint.Basic remote) {
			this.session = session;
			this.remote = remote;
		}

		static StandardBatch start(WebSocketSession session, jakarta.websocket.Session standard) throws IOException {
			jakarta.websocket.RemoteEndpoint.Basic remote = standard.getBasicRemote();
			remote.setBatchingAllowed(true);
			return new StandardBatch(session, remote);
		}

		@Override
		public void add(WebSocketMessage<?> message) throws IOException {
			this.session.sendMessage(message);
		}

		@Override
		public void flush() throws IOException {
			// Turning batching off flushes what it buffered.
			this.remote.setBatchingAllowed(false);
		}

		@Override
		public void abandon() {
			try {
				this.remote.setBatchingAllowed(false);
			}
			catch (IOException | RuntimeException ex) {
				// The write failed already: the connection is going away.
			}
		}

	}

	/** Jetty 12: asynchronous sends, which its frame flusher gathers, awaited in order. */
	private static final class JettyBatch implements Batch {

		private final org.eclipse.jetty.websocket.api.Session session;

		private final List<org.eclipse.jetty.websocket.api.Callback.Completable> sent = new ArrayList<>();

		JettyBatch(org.eclipse.jetty.websocket.api.Session session) {
			this.session = session;
		}

		@Override
		public void add(WebSocketMessage<?> message) throws IOException {
			org.eclipse.jetty.websocket.api.Callback.Completable callback = new org.eclipse.jetty.websocket.api.Callback.Completable();
			if (message instanceof TextMessage text) {
				if (text.isLast()) {
					this.session.sendText(text.getPayload(), callback);
				}
				else {
					this.session.sendPartialText(text.getPayload(), false, callback);
				}
			}
			else if (message instanceof BinaryMessage binary) {
				if (binary.isLast()) {
					this.session.sendBinary(binary.getPayload(), callback);
				}
				else {
					this.session.sendPartialBinary(binary.getPayload(), false, callback);
				}
			}
			else if (message instanceof PingMessage ping) {
				this.session.sendPing(ping.getPayload(), callback);
			}
			else if (message instanceof PongMessage pong) {
				this.session.sendPong(pong.getPayload(), callback);
			}
			else {
				throw new IllegalStateException("Unexpected WebSocket message type: " + message);
			}
			this.sent.add(callback);
		}

		@Override
		public void flush() throws IOException {
			try {
				for (org.eclipse.jetty.websocket.api.Callback.Completable callback : this.sent) {
					callback.get();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new InterruptedIOException("Interrupted while writing a batch");
			}
			catch (ExecutionException ex) {
				throw (ex.getCause() instanceof IOException io) ? io : new IOException(ex.getCause());
			}
		}

		@Override
		public void abandon() {
			this.sent.clear();
		}

	}

}

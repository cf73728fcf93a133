package io.github.wsdrain.client;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import org.apache.tomcat.websocket.WsSession;

import org.springframework.util.ClassUtils;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;

/**
 * What Tomcat's JSR-356 client needs for the close handshake: it reports a local close at
 * once, so the peer's reply is seen by polling {@link WsSession#isClosed()}, and a
 * connection whose peer never replies is ended by delivering a close to the session.
 */
final class TomcatSupport {

	private static final boolean PRESENT = ClassUtils.isPresent("org.apache.tomcat.websocket.WsSession",
			TomcatSupport.class.getClassLoader());

	private TomcatSupport() {
	}

	static boolean isTomcat(WebSocketSession session) {
		return PRESENT && Tomcat.wsSession(session) != null;
	}

	private static boolean isClosed(WebSocketSession session) {
		WsSession wsSession = Tomcat.wsSession(session);
		return wsSession == null || wsSession.isClosed();
	}

	/**
	 * Wait for the peer's close reply: Tomcat reports a local close at once and has no
	 * callback for the reply, so its session is polled.
	 * @return whether the session closed within the timeout
	 */
	static boolean awaitClosed(WebSocketSession session, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!isClosed(session)) {
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0) {
				return false;
			}
			LockSupport.parkNanos(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(2)));
			if (Thread.interrupted()) {
				throw new InterruptedException();
			}
		}
		return true;
	}

	static void abort(WebSocketSession session) {
		abort(session, "Close handshake timed out");
	}

	/**
	 * End a connection at once as if it had closed abnormally (1006), whether or not the
	 * close frame went out; its handler hears of it before this returns.
	 */
	static void abort(WebSocketSession session, String reason) {
		if (PRESENT) {
			Tomcat.abort(session, reason);
		}
	}

	/**
	 * Loaded only when Tomcat's WebSocket client is on the class path.
	 */
	private static final class Tomcat {

		static WsSession wsSession(WebSocketSession session) {
			if (session instanceof NativeWebSocketSession nativeSession
					&& nativeSession.getNativeSession() instanceof WsSession wsSession) {
				return wsSession;
			}
			return null;
		}

		static void abort(WebSocketSession session, String reason) {
			WsSession wsSession = wsSession(session);
			if (wsSession != null && !wsSession.isClosed()) {
				// A "received" close moves the session to CLOSED and closes the socket.
				wsSession.onClose(new CloseReason(CloseCodes.CLOSED_ABNORMALLY, reason));
			}
		}

	}

}

package io.github.wsdrain.session;

import java.io.IOException;

import org.springframework.util.ClassUtils;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.handler.WebSocketSessionDecorator;

/**
 * Ends a connection whose drain or write timed out. Tomcat writes its close frame under
 * a 50 ms limit (the longer one a draining session's graceful close gets is shortened
 * first) and then closes the socket; Jetty queues the close frame behind the write that
 * is stuck and holds the connection until its idle timeout, so there the connection is
 * cut at once (the peer was not reading, the close frame could not reach it anyway).
 */
final class ContainerConnections {

	private static final boolean JETTY_API_PRESENT = ClassUtils.isPresent("org.eclipse.jetty.websocket.api.Session",
			ContainerConnections.class.getClassLoader());

	private ContainerConnections() {
	}

	static void closeStuckConnection(WebSocketSession session, CloseStatus status) throws IOException {
		if (JETTY_API_PRESENT && Jetty.disconnect(session)) {
			return;
		}
		ContainerWrites.restoreCloseFrameBound(session);
		session.close(status);
	}

	private static final class Jetty {

		static boolean disconnect(WebSocketSession session) {
			if (WebSocketSessionDecorator.unwrap(session) instanceof NativeWebSocketSession nativeSession
					&& nativeSession.getNativeSession() instanceof org.eclipse.jetty.websocket.api.Session jetty) {
				jetty.disconnect();
				return true;
			}
			return false;
		}

	}

}

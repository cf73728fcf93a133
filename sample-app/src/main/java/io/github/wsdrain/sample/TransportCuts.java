package io.github.wsdrain.sample;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.function.Predicate;

import io.github.wsdrain.server.resume.ResumableSessions;
import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.session.DrainingWebSocketSession;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.util.ReflectionUtils;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.handler.WebSocketSessionDecorator;

/**
 * Sample only: ends a connection's TCP socket without a close frame, as a network failure
 * would, so the page can show a {@code wsdrain.v1} client resuming. Containers have no
 * public way to do this: Jetty's {@code Session.disconnect()} and Tomcat's
 * {@code WsRemoteEndpointImplServer.doClose()} are reached by reflection.
 */
public class TransportCuts {

	private static final Log logger = LogFactory.getLog(TransportCuts.class);

	private final ObjectProvider<DrainingSessionRegistry> registry;

	private final ObjectProvider<ResumableSessions> resumableSessions;

	TransportCuts(ObjectProvider<DrainingSessionRegistry> registry,
			ObjectProvider<ResumableSessions> resumableSessions) {
		this.registry = registry;
		this.resumableSessions = resumableSessions;
	}

	/**
	 * Cut the connections that carry a session: the session itself when it is a plain
	 * connection, its current connection when it is a {@code wsdrain.v1} session.
	 * @param session the session as its handler sees it
	 * @return how many connections were cut
	 */
	int cut(Object session) {
		ResumableSessions resumable = this.resumableSessions.getIfAvailable();
		return cutWhere((connection) -> connection == session
				|| (resumable != null && resumable.sessionOf(connection) == session));
	}

	/**
	 * Cut the connections whose request path is the given one.
	 * @param path for example {@code /plain/stream}
	 * @return how many connections were cut
	 */
	public int cutPath(String path) {
		return cutWhere((connection) -> connection.getUri() != null && path.equals(connection.getUri().getPath()));
	}

	/**
	 * Cut connections the draining registry does not know: those of excluded paths.
	 * @param connections the connections, as their handler got them
	 * @return how many connections were cut
	 */
	int cutAll(Collection<WebSocketSession> connections) {
		int cut = 0;
		for (WebSocketSession connection : connections) {
			if (abort(connection)) {
				cut++;
			}
		}
		return cut;
	}

	private int cutWhere(Predicate<DrainingWebSocketSession> which) {
		DrainingSessionRegistry sessions = this.registry.getIfAvailable();
		if (sessions == null) {
			return 0;
		}
		int cut = 0;
		for (DrainingWebSocketSession connection : sessions.getSessions()) {
			if (which.test(connection) && abort(connection.getDelegate())) {
				cut++;
			}
		}
		return cut;
	}

	private static boolean abort(WebSocketSession connection) {
		Object nativeSession = (WebSocketSessionDecorator.unwrap(connection) instanceof NativeWebSocketSession n)
				? n.getNativeSession() : null;
		if (nativeSession == null) {
			return false;
		}
		try {
			Method disconnect = ReflectionUtils.findMethod(nativeSession.getClass(), "disconnect");
			if (disconnect != null) {
				disconnect.invoke(nativeSession);
				return true;
			}
			Object endpoint = field(nativeSession, "wsRemoteEndpoint");
			Method doClose = (endpoint != null) ? ReflectionUtils.findMethod(endpoint.getClass(), "doClose") : null;
			if (doClose != null) {
				ReflectionUtils.makeAccessible(doClose);
				doClose.invoke(endpoint);
				return true;
			}
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			logger.warn("Could not cut connection " + connection.getId(), ex);
		}
		return false;
	}

	private static @Nullable Object field(Object target, String name) {
		Field field = ReflectionUtils.findField(target.getClass(), name);
		if (field == null) {
			return null;
		}
		ReflectionUtils.makeAccessible(field);
		return ReflectionUtils.getField(field, target);
	}

}

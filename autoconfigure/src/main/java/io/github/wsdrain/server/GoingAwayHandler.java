package io.github.wsdrain.server;

import io.github.wsdrain.shutdown.GracefulWebSocketShutdown;
import org.springframework.web.socket.WebSocketSession;

/**
 * Implemented by a {@code WebSocketHandler} that wants a last word before the server
 * closes its sessions with "going away" (application shutdown, or
 * {@link GracefulWebSocketShutdown#drainAll}).
 * <p>
 * Called once for every open session of the handler's endpoint, on a wsdrain thread,
 * for all sessions in parallel, before any of them is closed. Messages sent to the
 * session here are queued like any other and written before the close frame. The
 * session is closed when the callback returns or, at the latest, at the shutdown
 * timeout.
 * <p>
 * On a {@code wsdrain.v1} connection the callback gets the
 * {@link io.github.wsdrain.server.resume.ResumableSession}, as the handler's other methods do;
 * sessions waiting for a resume have no connection to say anything on and are not called.
 */
@FunctionalInterface
public interface GoingAwayHandler {

	/**
	 * Say goodbye on a session that is about to be closed.
	 * @param session the (draining) session
	 * @throws Exception if the callback fails: it is logged and the session is closed
	 * all the same
	 */
	void beforeShutdown(WebSocketSession session) throws Exception;

}

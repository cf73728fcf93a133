package io.github.wsdrain.server.resume;

import java.net.URI;
import java.security.Principal;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.web.socket.WebSocketHandler;

/**
 * Who may resume a session and where: the principal it was opened by and the endpoint
 * it was opened on. A token resumes only through the endpoint that issued it, past that
 * endpoint's own handshake rules, and only for the same principal.
 *
 * @param handler the app's handler of the endpoint
 * @param path the endpoint's path, {@code null} if the connection had no URI
 * @param principalName the name of the principal, {@code null} without one
 */
record ResumeScope(WebSocketHandler handler, @Nullable String path, @Nullable String principalName) {

	static ResumeScope of(WebSocketHandler handler, @Nullable URI uri, @Nullable Principal principal) {
		return new ResumeScope(handler, (uri != null) ? uri.getPath() : null,
				(principal != null) ? principal.getName() : null);
	}

	/**
	 * Whether a connection with this principal, on this endpoint, may resume the session.
	 * @param claimant the principal of the resuming connection, if any
	 * @param connectionUri the URI of the resuming connection
	 * @param endpointHandler the app's handler of the endpoint it connected to
	 */
	boolean admits(@Nullable Principal claimant, @Nullable URI connectionUri, WebSocketHandler endpointHandler) {
		String name = (claimant != null) ? claimant.getName() : null;
		String connectionPath = (connectionUri != null) ? connectionUri.getPath() : null;
		return Objects.equals(this.principalName, name) && this.handler == endpointHandler
				&& Objects.equals(this.path, connectionPath);
	}

}

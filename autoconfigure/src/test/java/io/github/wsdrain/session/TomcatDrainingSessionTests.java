package io.github.wsdrain.session;

import io.github.wsdrain.server.DrainTestApplication;
import io.github.wsdrain.server.ServerSelection;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.adapter.NativeWebSocketSession;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DrainingSessionTests} on Tomcat, and Tomcat's own bounds on a draining session's
 * writes.
 */
@TestPropertySource(properties = ServerSelection.TOMCAT)
class TomcatDrainingSessionTests extends DrainingSessionTests {

	@LocalServerPort
	private int port;

	@Autowired
	private DrainTestApplication application;

	@Test
	void aGracefulCloseFrameGetsTheBoundOfEveryOtherWriteAndACutConnectionTomcats50Milliseconds() throws Exception {
		WebSocket client = HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.buildAsync(URI.create("ws://localhost:" + this.port + "/drained/bean"), new WebSocket.Listener() {
			})
			.get(10, TimeUnit.SECONDS);
		try {
			DrainingWebSocketSession session = (DrainingWebSocketSession) this.application.sessionCapture().next();
			Map<String, Object> bounds = ((NativeWebSocketSession) session.getDelegate())
				.getNativeSession(jakarta.websocket.Session.class)
				.getUserProperties();
			long writeBound = session.getSettings()
				.sendTimeLimit()
				.plus(session.getSettings().writeCheckInterval().multipliedBy(2))
				.toMillis();
			assertThat(bounds).containsEntry("org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT", writeBound)
				.containsEntry("org.apache.tomcat.websocket.ABNORMAL_SESSION_CLOSE_SEND_TIMEOUT", writeBound);

			// A cut waits for the permit of a write stuck on the peer: only a short bound frees it.
			ContainerConnections.closeStuckConnection(session.getDelegate(), CloseStatus.SERVER_ERROR);

			// Without the property, Tomcat bounds the close frame by its default, 50 ms.
			assertThat(bounds).doesNotContainKey("org.apache.tomcat.websocket.ABNORMAL_SESSION_CLOSE_SEND_TIMEOUT");
		}
		finally {
			client.abort();
		}
	}

}

package io.github.wsdrain.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * Real WebSocket clients for the scenario tests: the JDK's {@link WebSocket} and
 * Spring's {@link StandardWebSocketClient}.
 */
enum TestClients {

	JDK {

		@Override
		ReceivedStream connect(URI uri) throws Exception {
			ReceivedStream stream = new ReceivedStream();
			WebSocket webSocket = HTTP_CLIENT.newWebSocketBuilder()
				.buildAsync(uri, new JdkListener(stream))
				.get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
			stream.onAbort(webSocket::abort);
			return stream;
		}

	},

	SPRING {

		@Override
		ReceivedStream connect(URI uri) throws Exception {
			ReceivedStream stream = new ReceivedStream();
			WebSocketSession session = new StandardWebSocketClient().execute(new SpringHandler(stream), null, uri)
				.get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
			stream.onAbort(() -> closeQuietly(session));
			return stream;
		}

	};

	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

	private static final HttpClient HTTP_CLIENT = HttpClient.newHttpClient();

	/**
	 * Connect and collect every text message until the connection ends.
	 * @param uri the endpoint
	 * @return what arrives, filled in as it arrives
	 * @throws Exception if the connection cannot be opened
	 */
	abstract ReceivedStream connect(URI uri) throws Exception;

	private static void closeQuietly(WebSocketSession session) {
		try {
			session.close();
		}
		catch (java.io.IOException ex) {
			// already gone
		}
	}

	private static final class JdkListener implements WebSocket.Listener {

		private final ReceivedStream stream;

		private final StringBuilder partial = new StringBuilder();

		JdkListener(ReceivedStream stream) {
			this.stream = stream;
		}

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.partial.append(data);
			if (last) {
				this.stream.message(this.partial.toString());
				this.partial.setLength(0);
			}
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			this.stream.closed(statusCode, reason, true);
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			this.stream.closed(CloseStatus.NO_CLOSE_FRAME.getCode(), String.valueOf(error), false);
		}

	}

	private static final class SpringHandler extends TextWebSocketHandler {

		private final ReceivedStream stream;

		SpringHandler(ReceivedStream stream) {
			this.stream = stream;
		}

		@Override
		protected void handleTextMessage(WebSocketSession session, TextMessage message) {
			this.stream.message(message.getPayload());
		}

		@Override
		public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
			this.stream.closed(status.getCode(), status.getReason(),
					status.getCode() != CloseStatus.NO_CLOSE_FRAME.getCode());
		}

	}

}

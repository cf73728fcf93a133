package io.github.wsdrain.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.tomcat.websocket.WsWebSocketContainer;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;

/**
 * Clients and helpers shared by the client tests.
 */
final class TestClients {

	private TestClients() {
	}

	/**
	 * A client on Tomcat's JSR-356 container, the one {@code StandardWebSocketClient}
	 * finds in a Spring Boot web application (named explicitly because the test class
	 * path also holds Jetty's).
	 */
	static BufferedWebSocketClient tomcat() {
		BufferedWebSocketClient client = new BufferedWebSocketClient(
				new StandardWebSocketClient(new WsWebSocketContainer()));
		client.setReceiveTimeout(Duration.ofSeconds(20));
		client.setCloseTimeout(Duration.ofSeconds(5));
		return client;
	}

	/**
	 * The text message a test server sends as message {@code index}: the index, a bar,
	 * and up to 63 letters, so that message boundaries vary.
	 */
	static String message(int index) {
		return index + "|" + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789#".substring(0, index % 64);
	}

	/**
	 * Receive until the connection reports its end.
	 */
	static Drained drain(BufferedWebSocketConnection connection) throws InterruptedException {
		List<String> texts = new ArrayList<>();
		while (true) {
			try {
				WebSocketMessage<?> message = connection.receive();
				texts.add(text(message));
			}
			catch (ConnectionClosedException ex) {
				return new Drained(texts, ex);
			}
		}
	}

	static String text(WebSocketMessage<?> message) {
		if (message instanceof TextMessage text) {
			return text.getPayload();
		}
		if (message instanceof BinaryMessage binary) {
			return "binary:" + binary.getPayloadLength();
		}
		throw new IllegalStateException("Unexpected " + message);
	}

	record Drained(List<String> texts, ConnectionClosedException closed) {
	}

}

package io.github.wsdrain.server.stomp;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.session.DrainingWebSocketSession;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.broker.OrderedMessageChannelDecorator;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.web.socket.messaging.SubProtocolWebSocketHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * STOMP sessions of an {@code @EnableWebSocketMessageBroker} app are drained instead of
 * wrapped in Spring's buffering decorator: 2,000 MESSAGE frames of 1 KB published in
 * order through the outbound channel's thread pool, then an ERROR frame, after which
 * Spring closes the session at once. With wsdrain the client gets all 2,000, the ERROR,
 * then the close frame; through Spring's decorator ({@code /plain-stomp}) it does not.
 */
@SpringBootTest(classes = StompTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "wsdrain.server.excluded-paths=/plain-stomp")
abstract class StompDrainTests {

	private static final int COUNT = 2000;

	private static final int PLAIN_ATTEMPTS = 10;

	private static final String FILLER = ".".repeat(1000);

	@LocalServerPort
	private int port;

	@Autowired
	private DrainingSessionRegistry registry;

	@Autowired
	private StompTestApplication.ConnectedSessions connectedSessions;

	@Autowired
	@Qualifier("clientOutboundChannel")
	private MessageChannel clientOutboundChannel;

	@Autowired
	@Qualifier("subProtocolWebSocketHandler")
	private SubProtocolWebSocketHandler subProtocolWebSocketHandler;

	@Test
	void stompSessionsAreDrainingSessionsWithoutSpringsBufferingDecorator() throws Exception {
		StompClient client = StompClient.connect(this.port, "/stomp");
		String sessionId = this.connectedSessions.next();
		DrainingWebSocketSession session = drainingSession(sessionId);
		assertThat(this.subProtocolWebSocketHandler.getClass().getSimpleName())
			.isEqualTo("DrainingSubProtocolWebSocketHandler");
		client.webSocket.abort();
		await().until(() -> !this.registry.getSessions().contains(session));
	}

	@Test
	void whenStompClosesRightAfterSendingThenEveryMessageArrivesBeforeTheCloseFrame() throws Exception {
		StompClient client = StompClient.connect(this.port, "/stomp");
		String sessionId = this.connectedSessions.next();
		DrainingWebSocketSession session = drainingSession(sessionId);
		// Spring announces the session before it writes CONNECTED: publish once the client has it.
		await().atMost(Duration.ofSeconds(10)).until(() -> !client.frames().isEmpty());
		publishThenError(sessionId);

		int closeCode = client.closed.get(30, TimeUnit.SECONDS);
		List<String> frames = client.frames();
		assertThat(frames.get(0)).startsWith("CONNECTED");
		List<String> messages = frames.stream().filter((frame) -> frame.startsWith("MESSAGE")).toList();
		assertThat(messages).hasSize(COUNT);
		for (int i = 0; i < COUNT; i++) {
			assertThat(messages.get(i)).contains("\n\n" + i + "|");
		}
		assertThat(frames.get(frames.size() - 1)).startsWith("ERROR");
		assertThat(closeCode).isEqualTo(1002);
		assertThat(session.getDroppedMessages()).isZero();
	}

	@Test
	void whenTheSameRunsThroughSpringsDecoratorThenMessagesAreLost() throws Exception {
		// Whether Spring's decorator still holds frames at the close depends on timing: on
		// a quiet machine it can keep up. Up to ten attempts; one failure proves the case.
		List<String> attempts = new ArrayList<>();
		for (int attempt = 0; attempt < PLAIN_ATTEMPTS && !failedTheGuarantee(attempts); attempt++) {
			attempts.add(plainAttempt());
		}
		assertThat(failedTheGuarantee(attempts))
			.as("stock Spring delivers all %d MESSAGE frames then a close frame in every attempt: %s", COUNT,
					attempts)
			.isTrue();
	}

	private static boolean failedTheGuarantee(List<String> attempts) {
		return attempts.stream().anyMatch((attempt) -> attempt.startsWith("failed"));
	}

	private String plainAttempt() throws Exception {
		StompClient client = StompClient.connect(this.port, "/plain-stomp");
		String sessionId = this.connectedSessions.next();
		assertThat(this.registry.getSessions()).extracting(DrainingWebSocketSession::getId).doesNotContain(sessionId);
		publishThenError(sessionId);
		boolean closed;
		try {
			client.closed.get(10, TimeUnit.SECONDS);
			closed = true;
		}
		catch (TimeoutException ex) {
			// A close racing a send inside the container can leave the connection without a close frame.
			closed = false;
			client.webSocket.abort();
		}
		long messages = client.frames().stream().filter((frame) -> frame.startsWith("MESSAGE")).count();
		boolean failed = messages < COUNT || !closed;
		return (failed ? "failed" : "delivered") + " (" + messages + " frames, closed: " + closed + ")";
	}

	private DrainingWebSocketSession drainingSession(String id) {
		return this.registry.getSessions()
			.stream()
			.filter((candidate) -> candidate.getId().equals(id))
			.findFirst()
			.orElseThrow();
	}

	private void publishThenError(String sessionId) {
		MessageChannel ordered = new OrderedMessageChannelDecorator(this.clientOutboundChannel,
				LogFactory.getLog(getClass()));
		for (int i = 0; i < COUNT; i++) {
			ordered.send(messageFrame(sessionId, i + "|" + FILLER));
		}
		ordered.send(errorFrame(sessionId));
	}

	private static Message<byte[]> messageFrame(String sessionId, String body) {
		SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.create(SimpMessageType.MESSAGE);
		headers.setSessionId(sessionId);
		headers.setSubscriptionId("0");
		headers.setDestination("/topic/t");
		headers.setLeaveMutable(true);
		return MessageBuilder.createMessage(body.getBytes(StandardCharsets.UTF_8), headers.getMessageHeaders());
	}

	private static Message<byte[]> errorFrame(String sessionId) {
		StompHeaderAccessor headers = StompHeaderAccessor.create(StompCommand.ERROR);
		headers.setSessionId(sessionId);
		headers.setMessage("done");
		headers.setLeaveMutable(true);
		return MessageBuilder.createMessage(new byte[0], headers.getMessageHeaders());
	}

	/**
	 * A STOMP 1.2 client over the JDK's WebSocket, collecting every frame.
	 */
	private static final class StompClient implements WebSocket.Listener {

		private final List<String> frames = Collections.synchronizedList(new ArrayList<>());

		private final StringBuilder partial = new StringBuilder();

		private final CompletableFuture<Integer> closed = new CompletableFuture<>();

		private WebSocket webSocket;

		static StompClient connect(int port, String path) throws Exception {
			StompClient client = new StompClient();
			client.webSocket = HttpClient.newHttpClient()
				.newWebSocketBuilder()
				.buildAsync(URI.create("ws://localhost:" + port + path), client)
				.get(10, TimeUnit.SECONDS);
			client.webSocket.sendText("CONNECT\naccept-version:1.2\nhost:localhost\n\n\0", true)
				.get(10, TimeUnit.SECONDS);
			return client;
		}

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.partial.append(data);
			if (last) {
				this.frames.add(this.partial.toString());
				this.partial.setLength(0);
			}
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			this.closed.complete(statusCode);
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			this.closed.complete(1006);
		}

		List<String> frames() {
			synchronized (this.frames) {
				return List.copyOf(this.frames);
			}
		}

	}

}

package io.github.wsdrain.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.simp.SimpMessagingTemplate;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.web.socket.config.annotation.EnableWebSocketMessageBroker;
import org.springframework.web.socket.config.annotation.StompEndpointRegistry;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * STOMP clients (raw frames over the JDK's WebSocket) subscribed to a simple-broker
 * topic while the application publishes and then stops: every client gets every
 * message published before the stop, then a 1001 close frame. Without wsdrain,
 * Spring's {@code SubProtocolWebSocketHandler.stop()} closes with 1001 and discards
 * what its decorator buffered, and the outbound channel may still hold messages.
 */
abstract class StompShutdownTests {

	private static final int CLIENTS = 5;

	private static final int MESSAGES = 2_000;

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final HttpClient HTTP_CLIENT = HttpClient.newHttpClient();

	private ConfigurableApplicationContext context;

	abstract String serverSelection();

	@AfterEach
	void closeContext() {
		if (this.context != null) {
			this.context.close();
		}
	}

	@Test
	void whenTheApplicationStopsRightAfterPublishingThenEveryStompClientGetsEveryMessageThenGoingAway()
			throws Exception {
		this.context = new SpringApplicationBuilder(StompApplication.class)
			.properties("server.port=0", serverSelection())
			.run();
		int port = ((WebServerApplicationContext) this.context).getWebServer().getPort();
		SimpMessagingTemplate template = this.context.getBean(SimpMessagingTemplate.class);
		List<StompClient> clients = new ArrayList<>();
		for (int i = 0; i < CLIENTS; i++) {
			clients.add(StompClient.connect(URI.create("ws://localhost:" + port + "/stomp"), "/topic/numbers"));
		}
		// The broker has the subscriptions once a probe reaches every client.
		await().atMost(WAIT)
			.pollInterval(Duration.ofMillis(50))
			.until(() -> {
				template.convertAndSend("/topic/numbers", "probe");
				return clients.stream().allMatch((client) -> client.bodies().contains("probe"));
			});

		for (int n = 0; n < MESSAGES; n++) {
			template.convertAndSend("/topic/numbers", Integer.toString(n));
		}
		long start = System.nanoTime();
		this.context.close();
		long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

		Set<String> expected = IntStream.range(0, MESSAGES).mapToObj(Integer::toString).collect(Collectors.toSet());
		for (int i = 0; i < clients.size(); i++) {
			StompClient client = clients.get(i);
			int code = client.closeCode().get(WAIT.toSeconds(), TimeUnit.SECONDS);
			Set<String> numbers = client.bodies()
				.stream()
				.filter((body) -> !body.equals("probe"))
				.collect(Collectors.toSet());
			assertThat(code).as("client %d close code", i).isEqualTo(1001);
			assertThat(numbers).as("client %d: %d of %d messages", i, numbers.size(), MESSAGES)
				.containsExactlyInAnyOrderElementsOf(expected);
		}
		System.out.printf("%s: %d STOMP clients x %d messages, context closed in %d ms%n",
				getClass().getSimpleName(), CLIENTS, MESSAGES, closeMillis);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@EnableWebSocketMessageBroker
	static class StompApplication implements WebSocketMessageBrokerConfigurer {

		@Override
		public void registerStompEndpoints(StompEndpointRegistry registry) {
			registry.addEndpoint("/stomp").setAllowedOriginPatterns("*");
		}

		@Override
		public void configureMessageBroker(MessageBrokerRegistry registry) {
			registry.enableSimpleBroker("/topic");
		}

	}

	/**
	 * A STOMP 1.2 client in raw frames: CONNECT, SUBSCRIBE, then collect the bodies of
	 * MESSAGE frames until the connection closes.
	 */
	private static final class StompClient implements WebSocket.Listener {

		private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());

		private final CompletableFuture<Void> connected = new CompletableFuture<>();

		private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

		private final StringBuilder partial = new StringBuilder();

		static StompClient connect(URI uri, String destination) throws Exception {
			StompClient client = new StompClient();
			WebSocket webSocket = HTTP_CLIENT.newWebSocketBuilder()
				.buildAsync(uri, client)
				.get(WAIT.toSeconds(), TimeUnit.SECONDS);
			webSocket.sendText("CONNECT\naccept-version:1.2\nhost:localhost\n\n\0", true)
				.get(WAIT.toSeconds(), TimeUnit.SECONDS);
			client.connected.get(WAIT.toSeconds(), TimeUnit.SECONDS);
			webSocket.sendText("SUBSCRIBE\nid:sub-0\ndestination:" + destination + "\n\n\0", true)
				.get(WAIT.toSeconds(), TimeUnit.SECONDS);
			return client;
		}

		List<String> bodies() {
			synchronized (this.bodies) {
				return List.copyOf(this.bodies);
			}
		}

		CompletableFuture<Integer> closeCode() {
			return this.closeCode;
		}

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.partial.append(data);
			if (last) {
				frame(this.partial.toString());
				this.partial.setLength(0);
			}
			webSocket.request(1);
			return null;
		}

		private void frame(String frame) {
			if (frame.startsWith("CONNECTED")) {
				this.connected.complete(null);
			}
			else if (frame.startsWith("MESSAGE")) {
				int bodyStart = frame.indexOf("\n\n") + 2;
				int bodyEnd = frame.indexOf('\0', bodyStart);
				this.bodies.add(frame.substring(bodyStart, (bodyEnd >= 0) ? bodyEnd : frame.length()));
			}
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			this.closeCode.complete(statusCode);
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			this.closeCode.complete(1006);
		}

	}

}

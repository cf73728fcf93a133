package io.github.wsdrain.shutdown;

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
import java.util.concurrent.TimeoutException;
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

	private static final Duration STOCK_END_WAIT = Duration.ofSeconds(10);

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
		List<Outcome> outcomes = publishThenStop(WAIT);
		Set<String> expected = IntStream.range(0, MESSAGES).mapToObj(Integer::toString).collect(Collectors.toSet());
		for (int i = 0; i < outcomes.size(); i++) {
			Outcome outcome = outcomes.get(i);
			assertThat(outcome.code()).as("client %d close code", i).isEqualTo(1001);
			assertThat(outcome.numbers()).as("client %d: %d of %d messages", i, outcome.numbers().size(), MESSAGES)
				.containsExactlyInAnyOrderElementsOf(expected);
		}
	}

	@Test
	void whenWsDrainIsDisabledThenStompClientsLoseMessagesOrTheCloseFrame() throws Exception {
		List<Outcome> outcomes = publishThenStop(STOCK_END_WAIT, "wsdrain.server.enabled=false");
		assertThat(outcomes).as("stock Spring: some client misses messages or the 1001")
			.anyMatch((outcome) -> outcome.code() != 1001 || outcome.numbers().size() < MESSAGES);
	}

	/**
	 * Subscribe {@link #CLIENTS} clients, publish {@link #MESSAGES} messages, close the
	 * context at once, and return what each client got (close code -1 for a client that
	 * did not see its connection end within the wait: the JDK client now and then misses
	 * a connection cut without a close frame).
	 */
	private List<Outcome> publishThenStop(Duration endWait, String... properties) throws Exception {
		List<String> all = new ArrayList<>(List.of("server.port=0", serverSelection()));
		all.addAll(List.of(properties));
		this.context = new SpringApplicationBuilder(StompApplication.class).properties(all.toArray(String[]::new))
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

		try {
			CompletableFuture.allOf(clients.stream().map(StompClient::closeCode).toArray(CompletableFuture[]::new))
				.get(endWait.toSeconds(), TimeUnit.SECONDS);
		}
		catch (TimeoutException ex) {
			// reported as -1
		}
		List<Outcome> outcomes = new ArrayList<>();
		for (StompClient client : clients) {
			int code = client.closeCode().getNow(-1);
			if (code == -1) {
				client.abort();
			}
			Set<String> numbers = client.bodies()
				.stream()
				.filter((body) -> !body.equals("probe"))
				.collect(Collectors.toSet());
			outcomes.add(new Outcome(code, numbers));
		}
		System.out.printf("%s %s: %d STOMP clients x %d messages, context closed in %d ms: %s%n",
				getClass().getSimpleName(), List.of(properties), CLIENTS, MESSAGES, closeMillis, outcomes.stream()
					.map((outcome) -> outcome.code() + "/" + outcome.numbers().size())
					.toList());
		return outcomes;
	}

	private record Outcome(int code, Set<String> numbers) {

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

		private volatile WebSocket webSocket;

		static StompClient connect(URI uri, String destination) throws Exception {
			StompClient client = new StompClient();
			WebSocket webSocket = HTTP_CLIENT.newWebSocketBuilder()
				.buildAsync(uri, client)
				.get(WAIT.toSeconds(), TimeUnit.SECONDS);
			client.webSocket = webSocket;
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

		void abort() {
			this.webSocket.abort();
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

package io.github.wsdrain.server.stomp;

import java.io.IOException;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;

import io.github.wsdrain.metrics.WsDrainServerMetrics;
import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.session.DropReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.tomcat.websocket.WsWebSocketContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.converter.StringMessageConverter;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.broker.SimpleBrokerMessageHandler;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.messaging.simp.SimpMessagingTemplate;
import org.springframework.messaging.simp.stomp.StompFrameHandler;
import org.springframework.messaging.simp.stomp.StompHeaders;
import org.springframework.messaging.simp.stomp.StompSession;
import org.springframework.messaging.simp.stomp.StompSessionHandlerAdapter;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.messaging.WebSocketStompClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A STOMP application publishes 10,000 messages to one session, then closes that session
 * itself; 10 runs with Spring's {@code WebSocketStompClient}. With wsdrain the close
 * first lets Spring's outbound channel hand over what it holds for the session: every
 * run receives all 10,000, in publish order ({@code preservePublishOrder}). Stock Spring
 * ({@code /plain-stomp}) loses messages, so the test is real.
 */
@SpringBootTest(classes = StompTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "wsdrain.server.excluded-paths=/plain-stomp")
abstract class StompAppCloseTests {

	private static final int COUNT = 10_000;

	private static final int RUNS = 10;

	private static final int PLAIN_ATTEMPTS = 3;

	@LocalServerPort
	private int port;

	@Autowired
	private StompTestApplication.ConnectedSessions connectedSessions;

	@Autowired
	private StompTestApplication.OpenSessions openSessions;

	@Autowired
	private SimpMessagingTemplate messagingTemplate;

	@Autowired
	private SimpleBrokerMessageHandler broker;

	@Autowired
	@Qualifier("clientOutboundChannel")
	private MessageChannel clientOutboundChannel;

	@Autowired
	private WsDrainServerMetrics metrics;

	@Autowired
	private DrainingSessionRegistry registry;

	private final WebSocketStompClient stompClient = new WebSocketStompClient(
			new StandardWebSocketClient(new WsWebSocketContainer()));

	private final ThreadPoolTaskScheduler receiptTimer = new ThreadPoolTaskScheduler();

	StompAppCloseTests() {
		this.stompClient.setMessageConverter(new StringMessageConverter());
		this.receiptTimer.initialize();
		this.stompClient.setTaskScheduler(this.receiptTimer);
	}

	@AfterEach
	void stopClient() {
		this.stompClient.stop();
		this.receiptTimer.shutdown();
	}

	@Test
	void whenTheAppClosesASessionRightAfterPublishingThenEachOf10RunsReceivesAll10000InOrder() throws Exception {
		List<Integer> expected = IntStream.range(0, COUNT).boxed().toList();
		for (int run = 0; run < RUNS; run++) {
			Run result = publishThenClose("/stomp", "/topic/run-" + run);
			assertThat(result.closed).as("run %d: the connection ended", run).isTrue();
			assertThat(result.session).isInstanceOf(DrainingWebSocketSession.class);
			assertThat(result.received).as("run %d: every message, in publish order", run).isEqualTo(expected);
		}
	}

	@Test
	void aMessageTheOutboundChannelDeliversAfterTheSessionEndedIsCounted() throws Exception {
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		this.metrics.bindTo(meters);
		// The context, and its registry, may be shared with other test classes that count some too.
		long undeliveredBefore = undelivered(this.registry.getUndeliveredMessages());
		Run result = publishThenClose("/stomp", "/topic/gone");
		assertThat(result.received).hasSize(COUNT);
		SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.create(SimpMessageType.MESSAGE);
		headers.setSessionId(result.session.getId());
		headers.setSubscriptionId("0");
		headers.setDestination("/topic/gone");
		this.clientOutboundChannel.send(MessageBuilder.createMessage("late".getBytes(), headers.getMessageHeaders()));
		// The client saw the close; the server may still be ending the session (Jetty reports
		// the end later), so the late message counts as refused by a closing session or as
		// one for a session already gone: either way counted, never silent.
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(undelivered(meters, "no-session") + undelivered(meters, "session-closing"))
				.isEqualTo(1.0));
		assertThat(undelivered(this.registry.getUndeliveredMessages()) - undeliveredBefore).isEqualTo(1L);
	}

	private static long undelivered(Map<DropReason, Long> undelivered) {
		return undelivered.getOrDefault(DropReason.NO_SESSION, 0L)
				+ undelivered.getOrDefault(DropReason.SESSION_CLOSING, 0L);
	}

	@Test
	void whenStockSpringDoesTheSameThenMessagesAreLost() throws Exception {
		List<String> outcomes = new ArrayList<>();
		boolean lost = false;
		for (int attempt = 0; attempt < PLAIN_ATTEMPTS && !lost; attempt++) {
			Run result = publishThenClose("/plain-stomp", "/topic/plain-" + attempt);
			assertThat(result.session).isNotInstanceOf(DrainingWebSocketSession.class);
			outcomes.add(result.received.size() + " of " + COUNT);
			lost = result.received.size() < COUNT;
		}
		System.out.println("Stock Spring, STOMP session closed by the app: received " + outcomes);
		assertThat(lost).as("stock Spring delivered every message: %s", outcomes).isTrue();
	}

	private Run publishThenClose(String path, String destination) throws Exception {
		List<Integer> received = Collections.synchronizedList(new ArrayList<>());
		CompletableFuture<Void> ended = new CompletableFuture<>();
		StompSession client = this.stompClient
			.connectAsync("ws://localhost:" + this.port + path, new StompSessionHandlerAdapter() {
				@Override
				public void handleTransportError(StompSession session, Throwable exception) {
					ended.complete(null);
				}
			})
			.get(10, TimeUnit.SECONDS);
		String sessionId = this.connectedSessions.next();
		WebSocketSession session = this.openSessions.get(sessionId);
		client.subscribe(destination, new StompFrameHandler() {
			@Override
			public Type getPayloadType(StompHeaders headers) {
				return String.class;
			}

			@Override
			public void handleFrame(StompHeaders headers, Object payload) {
				received.add(Integer.valueOf((String) payload));
			}
		});
		// The simple broker sends no receipts: wait until it knows the subscription.
		await().atMost(Duration.ofSeconds(10)).until(() -> subscribed(destination));

		for (int i = 0; i < COUNT; i++) {
			this.messagingTemplate.convertAndSend(destination, Integer.toString(i));
		}
		try {
			session.close();
		}
		catch (IOException ex) {
			if (session instanceof DrainingWebSocketSession) {
				throw ex;
			}
			// Stock Spring on Jetty: its close can fail when the connection ends during it. What
			// the client received is the outcome either way.
		}

		boolean closed;
		try {
			ended.get(60, TimeUnit.SECONDS);
			closed = true;
		}
		catch (TimeoutException ex) {
			closed = false;
			client.disconnect();
		}
		synchronized (received) {
			return new Run(session, List.copyOf(received), closed);
		}
	}

	private boolean subscribed(String destination) {
		SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.create(SimpMessageType.MESSAGE);
		headers.setDestination(destination);
		Message<byte[]> probe = MessageBuilder.createMessage(new byte[0], headers.getMessageHeaders());
		return !this.broker.getSubscriptionRegistry().findSubscriptions(probe).isEmpty();
	}

	private record Run(WebSocketSession session, List<Integer> received, boolean closed) {

	}


	private static double undelivered(SimpleMeterRegistry meters, String reason) {
		Counter counter = meters.find("wsdrain.messages.dropped").tag("reason", reason).counter();
		return (counter != null) ? counter.count() : 0;
	}

}

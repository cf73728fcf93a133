package io.github.wsdrain.testsupport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import io.github.wsdrain.server.resume.ResumableSession;
import io.github.wsdrain.server.resume.ResumeClaim;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * One node of a multi-node app for the Redis store tests: {@code /both?client=<name>}
 * sends {@code s-1}…{@code s-N} and expects {@code c-1}…{@code c-N}; a session that
 * moves in from another node goes on from its {@link ResumableSession#getLastSent()}.
 * Whoever owns a session closes it with 1000 once both directions are complete. The
 * nodes of one test share one {@link Records}; a node in another process keeps its own.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableWebSocket
public class MultiNodeApplication implements WebSocketConfigurer {

	/** The bean name under which a test registers the nodes' shared records. */
	public static final String RECORDS = "multiNodeRecords";

	private final Records records;

	private final int messages;

	public MultiNodeApplication(Records records, @Value("${test.messages:10000}") int messages) {
		this.records = records;
		this.messages = messages;
	}

	@Bean
	BothWays bothWays() {
		return new BothWays(this.records, this.messages);
	}

	@Override
	public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
		registry.addHandler(bothWays(), "/both");
	}

	/**
	 * Start a node in this JVM.
	 * @param records the records the nodes share
	 * @param properties its properties ({@code key=value})
	 * @return the running node
	 */
	public static ConfigurableApplicationContext start(Records records, String... properties) {
		return new SpringApplicationBuilder(MultiNodeApplication.class).properties(properties)
			.initializers((context) -> context.getBeanFactory().registerSingleton(RECORDS, records))
			.run();
	}

	/** A node in a process of its own, for the crash test: its records stay in it. */
	public static void main(String[] args) {
		Records own = new Records();
		new SpringApplicationBuilder(MultiNodeApplication.class)
			.initializers((context) -> context.getBeanFactory().registerSingleton(RECORDS, own))
			.run(args);
	}

	public static int port(ConfigurableApplicationContext node) {
		return Integer.parseInt(Objects.requireNonNull(node.getEnvironment().getProperty("local.server.port")));
	}

	/** What every node's handler saw, by client name. */
	public static final class Records {

		public final Map<String, List<String>> received = new ConcurrentHashMap<>();

		/** Sessions that moved in from another node, with where they came from. */
		public final List<ResumeClaim.SessionOrigin> movedIn = new CopyOnWriteArrayList<>();

		/** Every {@code wsdrain.v1} session the handlers were told of, but the not recovered ones. */
		public final AtomicInteger established = new AtomicInteger();

		/** Every {@code afterConnectionClosed} status the handlers saw. */
		public final List<CloseStatus> closes = new CopyOnWriteArrayList<>();

		/** Why the app's sends failed, when they did. */
		public final List<String> sendFailures = new CopyOnWriteArrayList<>();

		/**
		 * New sessions opened by a resume that found nothing: a client's attempt it gave up
		 * while the server was slow may come late with a token used up since.
		 */
		public final AtomicInteger notRecovered = new AtomicInteger();

		/**
		 * What the apps of both nodes received from one client so far, in order.
		 * @param client the client's name
		 * @return a copy, taken under the lock the apps append under
		 */
		public List<String> receivedFrom(String client) {
			List<String> received = of(client);
			synchronized (received) {
				return List.copyOf(received);
			}
		}

		List<String> of(String client) {
			return this.received.computeIfAbsent(client, (name) -> new ArrayList<>());
		}

		public long closesWith(int code) {
			return this.closes.stream().filter((status) -> status.getCode() == code).count();
		}

		public Map<Integer, Long> closesByCode() {
			return this.closes.stream().collect(Collectors.groupingBy(CloseStatus::getCode, TreeMap::new,
					Collectors.counting()));
		}

	}

	/** The app's handler on one node. */
	public static final class BothWays extends TextWebSocketHandler implements DisposableBean {

		private final Records records;

		private final int messages;

		private final ExecutorService senders = Executors.newCachedThreadPool();

		BothWays(Records records, int messages) {
			this.records = records;
			this.messages = messages;
		}

		@Override
		public void afterConnectionEstablished(WebSocketSession connection) {
			if (!(connection instanceof ResumableSession session)) {
				// A plain WebSocket client: it only watches how the node closes.
				return;
			}
			if (session.getOrigin() == null && Objects.requireNonNull(session.getUri()).getQuery().contains("wsdrain-token")) {
				this.records.notRecovered.incrementAndGet();
				return;
			}
			this.records.established.incrementAndGet();
			if (session.getOrigin() != null) {
				this.records.movedIn.add(session.getOrigin());
			}
			this.senders.execute(() -> send(session));
		}

		private void send(ResumableSession session) {
			try {
				for (long i = session.getLastSent() + 1; i <= this.messages; i++) {
					session.sendMessage(new TextMessage("s-" + i));
				}
			}
			catch (IOException ex) {
				// Moved to another node or closed: the node that has it now goes on.
				this.records.sendFailures.add(String.valueOf(ex.getMessage()));
				return;
			}
			closeIfDone(session);
		}

		@Override
		protected void handleTextMessage(WebSocketSession session, TextMessage message) {
			List<String> received = this.records.of(client(session));
			synchronized (received) {
				received.add(message.getPayload());
			}
			if (session instanceof ResumableSession resumable) {
				closeIfDone(resumable);
			}
		}

		/** Both directions complete: everything sent, and the client's last message delivered (here or before). */
		private void closeIfDone(ResumableSession session) {
			List<String> received = this.records.of(client(session));
			synchronized (received) {
				String last = "c-" + this.messages;
				if (session.getLastSent() == this.messages && !received.isEmpty()
						&& received.get(received.size() - 1).equals(last)) {
					session.closeAsync(CloseStatus.NORMAL);
				}
			}
		}

		@Override
		public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
			this.records.closes.add(status);
		}

		@Override
		public void destroy() {
			this.senders.shutdownNow();
		}

		private static String client(WebSocketSession session) {
			String name = UriComponentsBuilder.fromUri(Objects.requireNonNull(session.getUri()))
				.build()
				.getQueryParams()
				.getFirst("client");
			return (name != null) ? name : "unknown";
		}

	}

}

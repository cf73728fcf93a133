package io.github.wsdrain.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.github.wsdrain.shutdown.DrainSummary;
import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.shutdown.GracefulWebSocketShutdown;
import io.github.wsdrain.testsupport.RawWebSocketClient;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.socket.CloseStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The application stops (the path SIGTERM takes: {@code context.close()}) while
 * clients stream from the sample: under {@code /demo/stream} every client gets its
 * whole stream, {@code END|K} and a 1001 close frame, and handshakes during the drain get
 * 503; under {@code /plain/stream} (stock Spring) the connections are cut.
 */
@ExtendWith(OutputCaptureExtension.class)
abstract class StreamShutdownScenarioTests {

	private static final int CLIENTS = 20;

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final Duration PLAIN_END_WAIT = Duration.ofSeconds(10);

	private static final HttpClient HTTP_CLIENT = HttpClient.newHttpClient();

	/** The drain's INFO line: closed, status, flushed, dropped, millis, forced (if any). */
	private static final Pattern SUMMARY = Pattern.compile("WebSocket drain: (\\d+) session\\(s\\) closed with (\\d+), "
			+ "(\\d+) message\\(s\\) flushed, (\\d+) dropped, in (\\d+) ms(?:; (\\d+) session\\(s\\) still draining)?");

	private ConfigurableApplicationContext context;

	private int port;

	/**
	 * Return the property that picks the embedded server.
	 * @return a {@link ServerSelection} constant
	 */
	abstract String serverSelection();

	@AfterEach
	void closeContext() {
		if (this.context != null) {
			this.context.close();
		}
	}

	@Test
	void whenTheApplicationStopsThenEveryDemoStreamEndsWithEndKThenGoingAwayAndHandshakesDuringTheDrainGet503(
			CapturedOutput output) throws Exception {
		start();
		StreamHandler handler = this.context.getBean("demoStreamHandler", StreamHandler.class);
		CountDownLatch draining = new CountDownLatch(1);
		CountDownLatch probed = new CountDownLatch(1);
		handler.beforeGoodbye(() -> {
			draining.countDown();
			awaitQuietly(probed);
		});
		List<ReceivedStream> streams = connect("/demo/stream?interval=10&size=64", CLIENTS);
		awaitMessagesOnEvery(streams);

		long stopStart = System.nanoTime();
		CompletableFuture<Void> stopping = CompletableFuture.runAsync(this.context::close);
		assertThat(draining.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("drain started").isTrue();
		WebSocketHandshakeException refused = refusedHandshake("/demo/stream");
		HttpResponse<String> plainRequest = HTTP_CLIENT.send(
				HttpRequest.newBuilder(uri("http", "/no-such-page")).build(), HttpResponse.BodyHandlers.ofString());
		probed.countDown();
		stopping.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopStart);

		assertThat(refused.getResponse().statusCode()).isEqualTo(503);
		assertThat(refused.getResponse().headers().firstValue("Retry-After")).hasValue("5");
		assertThat(plainRequest.statusCode()).as("plain HTTP during the drain").isEqualTo(404);
		long messages = assertEveryStreamEndsWithEndKThen(streams, 1001);
		Matcher summary = summary(output);
		assertThat(summary.group(1)).isEqualTo(String.valueOf(CLIENTS));
		assertThat(summary.group(2)).isEqualTo("1001");
		assertThat(summary.group(4)).as("dropped").isEqualTo("0");
		assertThat(summary.group(6)).as("forced").isNull();
		System.out.printf("%s: %d clients, %d messages in all, context closed in %d ms; %s%n", getClass().getSimpleName(),
				CLIENTS, messages, stopMillis, summary.group());
	}

	@Test
	void whenServerShutdownIsImmediateThenStreamsStillEndWithEndKThenGoingAway() throws Exception {
		start("server.shutdown=immediate");
		List<ReceivedStream> streams = connect("/demo/stream?interval=10&size=64", 6);
		awaitMessagesOnEvery(streams);
		this.context.close();
		assertEveryStreamEndsWithEndKThen(streams, 1001);
	}

	@Test
	void whenDrainAllRunsThenStreamsEndWithEndKAndTheStatusAndHandshakesGet503UntilAcceptingResumes()
			throws Exception {
		start("wsdrain.server.shutdown.retry-after=7s");
		List<ReceivedStream> streams = connect("/demo/stream?interval=5&size=128", 10);
		awaitMessagesOnEvery(streams);
		GracefulWebSocketShutdown shutdown = this.context.getBean(GracefulWebSocketShutdown.class);

		// Not 1012 "service restart": Tomcat's client rejects codes 1012-1014 as a protocol error.
		DrainSummary summary = shutdown.drainAll(new CloseStatus(4000, "Rolling deploy"))
			.get(WAIT.toSeconds(), TimeUnit.SECONDS);

		assertThat(summary.sessions()).isEqualTo(10);
		assertThat(summary.closed()).isEqualTo(10);
		assertThat(summary.forced()).isZero();
		assertThat(summary.dropped()).isZero();
		assertThat(summary.flushed()).as("at least every END|K").isGreaterThanOrEqualTo(10);
		assertThat(summary.complete()).isTrue();
		long messages = assertEveryStreamEndsWithEndKThen(streams, 4000);
		assertThat(streams.get(0).awaitEnding(WAIT).reason()).isEqualTo("Rolling deploy");
		assertThat(shutdown.isAcceptingSessions()).isFalse();
		WebSocketHandshakeException refused = refusedHandshake("/demo/stream");
		assertThat(refused.getResponse().statusCode()).isEqualTo(503);
		assertThat(refused.getResponse().headers().firstValue("Retry-After")).hasValue("7");

		shutdown.resumeAccepting();
		ReceivedStream afterwards = TestClients.JDK.connect(uri("ws", "/demo/stream"));
		awaitMessagesOnEvery(List.of(afterwards));
		assertThat(this.context.isRunning()).isTrue();
		System.out.printf("%s: drainAll of 10 clients, %d messages in all; %s%n", getClass().getSimpleName(), messages,
				summary);
	}

	@Test
	void whenTheApplicationStopsThenStockSpringStreamsAreCutWithoutACloseFrame() throws Exception {
		start();
		List<ReceivedStream> streams = connect("/plain/stream?interval=10&size=64", CLIENTS);
		awaitMessagesOnEvery(streams);
		this.context.close();
		// Now and then a JDK client does not notice the end of the connection at all
		// (no close frame, no error): it is given a while, then counted as cut.
		try {
			CompletableFuture.allOf(streams.stream().map(ReceivedStream::ending).toArray(CompletableFuture[]::new))
				.get(PLAIN_END_WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		catch (TimeoutException ex) {
			// counted below
		}
		int cut = 0;
		int unnoticed = 0;
		for (int i = 0; i < streams.size(); i++) {
			ReceivedStream stream = streams.get(i);
			String context = "client " + i + " (" + TestClients.values()[i % 2] + ")";
			assertThat(stream.messages()).as(context).noneMatch((text) -> text.startsWith("END|"));
			if (!stream.ending().isDone()) {
				stream.abort();
				unnoticed++;
				continue;
			}
			// 1006 is never sent on the wire: it means the connection ended without a close
			// frame (the JDK client reports it through onClose, hence no closeFrameReceived check).
			assertThat(stream.ending().get().code()).as(context + ", " + stream.ending().get()).isEqualTo(1006);
			cut++;
		}
		assertThat(cut).as("connections seen to end with 1006").isPositive();
		System.out.printf("%s: stock Spring, %d clients: %d cut with 1006, %d never noticed the end%n",
				getClass().getSimpleName(), streams.size(), cut, unnoticed);
	}

	@Test
	void whenAClientStopsReadingThenTheShutdownEndsAtTheTimeoutAndTheSummaryCountsWhatItDropped(
			CapturedOutput output) throws Exception {
		start("wsdrain.server.shutdown.timeout=2s");
		List<ReceivedStream> streams = connect("/demo/stream?interval=10&size=64", 5);
		awaitMessagesOnEvery(streams);
		// Completes the handshake and never reads again: once the socket buffers are full,
		// the server cannot write to it.
		RawWebSocketClient stalled = RawWebSocketClient.connect(this.port, "/demo/burst?count=1000000&size=65536&threads=4",
				4096);
		DrainingSessionRegistry registry = this.context.getBean(DrainingSessionRegistry.class);
		await().atMost(WAIT).until(() -> registry.getSessions().size() == 6);
		DrainingWebSocketSession stalledSession = registry.getSessions()
			.stream()
			.filter((session) -> session.getUri().getPath().equals("/demo/burst"))
			.findFirst()
			.orElseThrow();
		// Stuck: the socket buffers are full, the writer has not written for a while and
		// the other senders have filled the 1 MiB send buffer behind it.
		AtomicLong lastSent = new AtomicLong(-1);
		await().atMost(WAIT)
			.pollInterval(Duration.ofMillis(100))
			.until(() -> lastSent.getAndSet(stalledSession.getSentMessages()) == stalledSession.getSentMessages()
					&& stalledSession.getQueuedBytes() >= 15 * 65536);
		await().during(Duration.ofMillis(500))
			.atMost(WAIT)
			.until(() -> lastSent.get() == stalledSession.getSentMessages());
		long queued = stalledSession.getQueuedMessages();

		long stopStart = System.nanoTime();
		this.context.close();
		long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopStart);

		assertThat(stopMillis).as("context close").isBetween(1_900L, 10_000L);
		Matcher summary = summary(output);
		assertThat(summary.group(1)).as("closed in time").isEqualTo("5");
		assertThat(summary.group(6)).as("forced").isEqualTo("1");
		assertThat(Long.parseLong(summary.group(4))).as("dropped").isGreaterThanOrEqualTo(queued);
		for (ReceivedStream stream : streams) {
			ReceivedStream.Ending ending = stream.awaitEnding(WAIT);
			assertThat(ending.code()).isEqualTo(1001);
			assertThat(stream.messages()).last().asString().startsWith("END|");
		}
		stalled.close();
		System.out.printf("%s: stalled client (%d queued, %d sent), context closed in %d ms; %s%n",
				getClass().getSimpleName(), queued, stalledSession.getSentMessages(), stopMillis, summary.group());
	}

	/**
	 * Assert that every stream got a contiguous run 0..K-1, then {@code END|K}, then a
	 * close frame with the code.
	 * @return the number of messages received in all
	 */
	private static long assertEveryStreamEndsWithEndKThen(List<ReceivedStream> streams, int code) throws Exception {
		long messages = 0;
		for (int i = 0; i < streams.size(); i++) {
			ReceivedStream stream = streams.get(i);
			ReceivedStream.Ending ending = stream.awaitEnding(WAIT);
			List<String> received = stream.messages();
			String context = "client " + i + " (" + TestClients.values()[i % 2] + "), " + received.size()
					+ " messages, " + ending;
			assertThat(ending.code()).as(context).isEqualTo(code);
			assertThat(ending.closeFrameReceived()).as(context).isTrue();
			int k = received.size() - 1;
			assertThat(k).as(context).isPositive();
			assertThat(received.get(k)).as(context).isEqualTo("END|" + k);
			assertThat(stream.indexes()).as(context).containsExactlyElementsOf(IntStream.range(0, k).boxed().toList());
			messages += received.size();
		}
		return messages;
	}

	private void start(String... properties) {
		List<String> all = new ArrayList<>(List.of("server.port=0", serverSelection()));
		all.addAll(List.of(properties));
		this.context = new SpringApplicationBuilder(SampleApplication.class).properties(all.toArray(String[]::new))
			.run();
		this.port = ((WebServerApplicationContext) this.context).getWebServer().getPort();
	}

	private List<ReceivedStream> connect(String path, int count) throws Exception {
		List<ReceivedStream> streams = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			streams.add(TestClients.values()[i % 2].connect(uri("ws", path)));
		}
		return streams;
	}

	private static void awaitMessagesOnEvery(List<ReceivedStream> streams) {
		await().atMost(WAIT).until(() -> streams.stream().allMatch((stream) -> stream.messages().size() >= 5));
	}

	private WebSocketHandshakeException refusedHandshake(String path) throws InterruptedException {
		Throwable failure = catchThrowable(() -> HTTP_CLIENT.newWebSocketBuilder()
			.buildAsync(uri("ws", path), new WebSocket.Listener() {
			})
			.get(WAIT.toSeconds(), TimeUnit.SECONDS));
		assertThat(failure).isInstanceOf(ExecutionException.class)
			.cause()
			.isInstanceOf(WebSocketHandshakeException.class);
		return (WebSocketHandshakeException) failure.getCause();
	}

	private static Matcher summary(CapturedOutput output) {
		Matcher matcher = SUMMARY.matcher(output.getOut());
		assertThat(matcher.find()).as("summary line in the log").isTrue();
		return matcher;
	}

	private URI uri(String scheme, String path) {
		return URI.create(scheme + "://localhost:" + this.port + path);
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}

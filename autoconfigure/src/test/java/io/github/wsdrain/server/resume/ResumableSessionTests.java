package io.github.wsdrain.server.resume;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import io.github.wsdrain.server.ServerSelection;
import io.github.wsdrain.session.CloseResult;
import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.testsupport.RawWebSocketClient;
import io.github.wsdrain.testsupport.ResumeTestApplication.Recorder;
import io.github.wsdrain.testsupport.ResumeTestApplication;
import io.github.wsdrain.testsupport.WireClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

import static io.github.wsdrain.testsupport.ResumeTestApplication.sendQuietly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code wsdrain.v1} protocol on a real Tomcat with a minimal JDK client:
 * acknowledged closes, resume after a cut, the resume window, token checks, protocol
 * violations and plain clients.
 */
@SpringBootTest(classes = ResumeTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { ServerSelection.TOMCAT, "wsdrain.server.ack-timeout=1s", "wsdrain.server.resume.window=2s" })
class ResumableSessionTests {

	private static final Duration ACK_TIMEOUT = Duration.ofSeconds(1);

	@LocalServerPort
	private int port;

	@Autowired
	private Recorder recorder;

	@BeforeEach
	void clear() {
		this.recorder.clear();
	}

	@Test
	void whenTheClientAcknowledgesThenTheCloseCompletesWithNothingUnacknowledged() throws Exception {
		WireClient client = ResumeTestApplication.client(this.port).connect();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		IntStream.rangeClosed(1, 100).forEach((i) -> sendQuietly(session, "msg-" + i));

		CloseResult result = session.closeAsync(CloseStatus.NORMAL).get(10, TimeUnit.SECONDS);

		assertThat(result.unacknowledged()).isZero();
		assertThat(result.status().getCode()).isEqualTo(1000);
		assertThat(client.closeCode().get(10, TimeUnit.SECONDS)).isEqualTo(1000);
		assertThat(client.inbox().payloads()).hasSize(100).startsWith("msg-1").endsWith("msg-100");
		assertThat(this.recorder.closeOf(session).status().getCode()).isEqualTo(1000);
	}

	@Test
	void whenTheClientNeverAcknowledgesThenTheCloseWaitsForTheAckTimeoutAndCountsTheMessages() throws Exception {
		WireClient client = ResumeTestApplication.client(this.port).neverAcknowledge().connect();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		IntStream.rangeClosed(1, 5).forEach((i) -> sendQuietly(session, "msg-" + i));
		await().atMost(Duration.ofSeconds(10)).until(() -> client.inbox().size() == 5);

		long started = System.nanoTime();
		CloseResult result = session.closeAsync(CloseStatus.NORMAL).get(10, TimeUnit.SECONDS);

		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(ACK_TIMEOUT);
		assertThat(result.unacknowledged()).isEqualTo(5);
		assertThat(client.closeCode().get(10, TimeUnit.SECONDS)).isEqualTo(1000);
	}

	@Test
	void whenTheConnectionIsCutMidStreamThenResumingDeliversEveryMissedMessageInOrderOnceThenTheLiveStream()
			throws Exception {
		WireClient first = ResumeTestApplication.client(this.port).abortAfter(300).connect();
		String token = first.token();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		// The app sends while the cut happens, and keeps sending while the client is away.
		CompletableFuture<Void> sending = CompletableFuture
			.runAsync(() -> IntStream.rangeClosed(1, 1000).forEach((i) -> sendQuietly(session, "msg-" + i)));
		await().atMost(Duration.ofSeconds(10)).until(() -> !session.isConnected());
		sending.get(10, TimeUnit.SECONDS);
		IntStream.rangeClosed(1001, 2000).forEach((i) -> sendQuietly(session, "msg-" + i));
		assertThat(session.isOpen()).isTrue();

		WireClient second = ResumeTestApplication.client(this.port)
			.inbox(first.inbox())
			.resume(token, first.inbox().last())
			.connect();
		assertThat(second.resumed()).isTrue();
		assertThat(second.token()).isNotEqualTo(token);
		await().atMost(Duration.ofSeconds(10)).until(() -> first.inbox().size() == 2000);
		sendQuietly(session, "live");
		await().atMost(Duration.ofSeconds(10)).until(() -> first.inbox().size() == 2001);

		List<String> expected = IntStream.rangeClosed(1, 2000).mapToObj((i) -> "msg-" + i).toList();
		assertThat(first.inbox().payloads()).startsWith(expected.toArray(String[]::new)).endsWith("live");
		assertThat(first.inbox().duplicates()).isZero();
		assertThat(first.inbox().unexpected()).isEmpty();
		assertThat(this.recorder.wasClosed(session)).isFalse();
		assertThat(this.recorder.established).isEmpty();
		second.close();
		assertThat(this.recorder.closeOf(session).status().getCode()).isEqualTo(1000);
	}

	@Test
	void whenTheWindowHasPassedThenAResumeIsAnsweredNotRecovered() throws Exception {
		WireClient first = ResumeTestApplication.client(this.port).connect();
		String token = first.token();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		sendQuietly(session, "before");
		await().atMost(Duration.ofSeconds(10)).until(() -> first.inbox().size() == 1);
		first.abort();
		assertThat(this.recorder.closeOf(session).status().getCode()).isEqualTo(1006);

		WireClient late = ResumeTestApplication.client(this.port).resume(token, 1).connect();

		assertThat(late.resumed()).isFalse();
		assertThat(this.recorder.nextSession()).isNotSameAs(session);
		late.close();
	}

	@Test
	void whenTheTokenIsForgedThenNoSessionIsRecovered() throws Exception {
		WireClient client = ResumeTestApplication.client(this.port).resume("AAAAAAAAAAAAAAAAAAAAAA", 0).connect();
		assertThat(client.resumed()).isFalse();
		assertThat(this.recorder.nextSession()).isInstanceOf(ResumableSession.class);
		client.close();
	}

	@Test
	void whenATokenIsReusedThenTheSecondResumeIsNotRecovered() throws Exception {
		WireClient first = ResumeTestApplication.client(this.port).connect();
		String token = first.token();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		first.abort();
		await().atMost(Duration.ofSeconds(10)).until(() -> !session.isConnected());
		WireClient second = ResumeTestApplication.client(this.port).resume(token, 0).connect();
		assertThat(second.resumed()).isTrue();
		String next = second.token();
		// Any frame the server receives on the new connection confirms it and uses up the old token.
		second.send("confirming");
		assertThat(this.recorder.nextMessage()).isEqualTo("confirming");
		second.abort();
		await().atMost(Duration.ofSeconds(10)).until(() -> !session.isConnected());

		WireClient replay = ResumeTestApplication.client(this.port).resume(token, 0).connect();
		assertThat(replay.resumed()).isFalse();
		replay.close();
		WireClient owner = ResumeTestApplication.client(this.port).resume(next, 0).connect();
		assertThat(owner.resumed()).isTrue();
		owner.close();
	}

	@Test
	void whenAResumedConnectionDropsBeforeTheClientConfirmsThenTheSameTokenResumesAgain() throws Exception {
		WireClient first = ResumeTestApplication.client(this.port).connect();
		String token = first.token();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		first.abort();
		await().atMost(Duration.ofSeconds(10)).until(() -> !session.isConnected());
		WireClient unconfirmed = ResumeTestApplication.client(this.port).neverConfirm().resume(token, 0).connect();
		assertThat(unconfirmed.resumed()).isTrue();
		unconfirmed.abort();
		await().atMost(Duration.ofSeconds(10)).until(() -> !session.isConnected());

		WireClient again = ResumeTestApplication.client(this.port).resume(token, 0).connect();

		assertThat(again.resumed()).isTrue();
		again.close();
	}

	@Test
	void whenTheClientResumesWhileTheServerStillHoldsTheOldConnectionThenTheOldOneIsReplaced() throws Exception {
		WireClient halfOpen = ResumeTestApplication.client(this.port).connect();
		String token = halfOpen.token();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		await().atMost(Duration.ofSeconds(10)).until(() -> halfOpen.serverAcknowledged() == 0);

		WireClient next = ResumeTestApplication.client(this.port).resume(token, 0).connect();

		assertThat(next.resumed()).isTrue();
		assertThat(halfOpen.closeCode().get(10, TimeUnit.SECONDS)).isEqualTo(4000);
		sendQuietly(session, "to the new connection");
		await().atMost(Duration.ofSeconds(10)).until(() -> next.inbox().size() == 1);
		assertThat(this.recorder.wasClosed(session)).isFalse();
		next.close();
	}

	@Test
	void whenTheReplayBufferIsFullThenTheSenderWaitsForAcknowledgementsInsteadOfDropping() throws Exception {
		WireClient client = ResumeTestApplication.client(this.port).neverAcknowledge().connect();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		String kilobyte = "x".repeat(1024);
		// A live connection's replay buffer starts at its maximum (32 MB); a frame of 1 KB takes
		// at most 1,032 bytes with its header: these fit, and of the next 20 at least one waits.
		int fitting = (int) (session.getReplayCapacity() / 1032);
		int total = fitting + 20;
		IntStream.rangeClosed(1, fitting).forEach((i) -> sendQuietly(session, kilobyte));
		CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> {
			for (int i = 0; i < 20; i++) {
				sendQuietly(session, kilobyte);
			}
		});
		await().atMost(Duration.ofSeconds(30)).until(() -> client.inbox().size() == session.getLastSent());
		assertThat(blocked).isNotDone();
		assertThat(session.getLastSent()).isLessThan(total);

		client.ackNow();

		blocked.get(10, TimeUnit.SECONDS);
		assertThat(session.getLastSent()).isEqualTo(total);
		client.close();
	}

	@Test
	void whenAnotherUserPresentsTheTokenThenNothingIsRecoveredAndTheOwnerCanStillResume() throws Exception {
		WireClient alice = ResumeTestApplication.client(this.port).header(ResumeTestApplication.USER_HEADER, "alice").connect();
		String token = alice.token();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		assertThat(session.getPrincipal().getName()).isEqualTo("alice");
		alice.abort();
		await().atMost(Duration.ofSeconds(10)).until(() -> !session.isConnected());
		sendQuietly(session, "for alice only");

		WireClient mallory = ResumeTestApplication.client(this.port).header(ResumeTestApplication.USER_HEADER, "mallory").resume(token, 0).connect();
		WireClient anonymous = ResumeTestApplication.client(this.port).resume(token, 0).connect();
		assertThat(mallory.resumed()).isFalse();
		assertThat(anonymous.resumed()).isFalse();

		WireClient aliceAgain = ResumeTestApplication.client(this.port).header(ResumeTestApplication.USER_HEADER, "alice").resume(token, 0).connect();
		assertThat(aliceAgain.resumed()).isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> aliceAgain.inbox().size() == 1);
		assertThat(mallory.inbox().payloads()).isEmpty();
		assertThat(anonymous.inbox().payloads()).isEmpty();
		mallory.close();
		anonymous.close();
		aliceAgain.close();
	}

	@Test
	void whenTheClientSendsAMalformedFrameThenItsConnectionClosesWith1002() throws Exception {
		WireClient client = ResumeTestApplication.client(this.port).connect();
		WebSocketSession session = this.recorder.nextSession();
		client.sendRaw("hello");
		assertThat(client.closeCode().get(10, TimeUnit.SECONDS)).isEqualTo(1002);
		assertThat(this.recorder.closeOf(session).status().getCode()).isEqualTo(1002);
	}

	@Test
	void whenTheClientAcknowledgesAMessageNeverSentThenItsConnectionClosesWith1008() throws Exception {
		WireClient client = ResumeTestApplication.client(this.port).connect();
		WebSocketSession session = this.recorder.nextSession();
		sendQuietly(session, "one");
		client.sendRaw("a:5");
		assertThat(client.closeCode().get(10, TimeUnit.SECONDS)).isEqualTo(1008);
		assertThat(client.closeReason()).isEqualTo("Acknowledged a message never sent");
	}

	@Test
	void whenTheClientFloodsAcknowledgementsThenItsConnectionClosesWith1008() throws Exception {
		WireClient client = ResumeTestApplication.client(this.port).connect();
		this.recorder.nextSession();
		for (int i = 0; i < InboundFrames.MAX_ACKS_PER_SECOND + 1 && !client.closeCode().isDone(); i++) {
			client.sendRaw("a:0");
		}
		assertThat(client.closeCode().get(10, TimeUnit.SECONDS)).isEqualTo(1008);
	}

	/**
	 * Four misbehaving clients (malformed frame, acknowledgement beyond what was sent,
	 * acknowledgement flood, a 1 MB frame): each is closed with its code and its session
	 * ends for the app, while a fifth session gets its two messages and stays open.
	 */
	@Test
	void whenClientsMisbehaveThenOnlyTheirConnectionsCloseAndAnotherSessionCarriesOn() throws Exception {
		WireClient bystander = ResumeTestApplication.client(this.port).connect();
		ResumableSession bystanderSession = (ResumableSession) this.recorder.nextSession();
		sendQuietly(bystanderSession, "before");

		assertThat(misbehave((client) -> client.sendRaw("m:x:not a number"))).isEqualTo(1002);
		assertThat(misbehave((client) -> client.sendRaw("a:99"))).isEqualTo(1008);
		assertThat(misbehave((client) -> {
			for (int i = 0; i <= InboundFrames.MAX_ACKS_PER_SECOND && !client.closeCode().isDone(); i++) {
				client.sendRaw("a:0");
			}
		})).isEqualTo(1008);
		assertThat(sendOneMegabyteFrame()).isEqualTo(1009);

		sendQuietly(bystanderSession, "after");
		await().atMost(Duration.ofSeconds(10)).until(() -> bystander.inbox().size() == 2);
		assertThat(bystander.inbox().payloads()).containsExactly("before", "after");
		assertThat(bystander.closeCode()).isNotDone();
		assertThat(bystanderSession.isOpen()).isTrue();
		bystander.close();
	}

	/**
	 * The container refuses the frame (1009) and closes the socket with the rest of it
	 * unread, which resets the connection. A raw client: the JDK's reports the reset of its
	 * unfinished write before the close frame it has already received.
	 */
	private int sendOneMegabyteFrame() throws Exception {
		try (RawWebSocketClient client = RawWebSocketClient.connect(this.port, "/resume", 0, "wsdrain.v1")) {
			WebSocketSession session = this.recorder.nextSession();
			try {
				client.sendText("m:1:" + "x".repeat(1024 * 1024));
			}
			catch (IOException ex) {
				// The reset reached the write before the whole megabyte was written.
			}
			int code = client.readCloseCode();
			assertThat(this.recorder.closeOf(session).status().getCode()).isEqualTo(code);
			return code;
		}
	}

	/** The close code the client got; the app saw its session end with the same one. */
	private int misbehave(Consumer<WireClient> abuse) throws Exception {
		WireClient client = ResumeTestApplication.client(this.port).connect();
		WebSocketSession session = this.recorder.nextSession();
		abuse.accept(client);
		int code = client.closeCode().get(10, TimeUnit.SECONDS);
		assertThat(this.recorder.closeOf(session).status().getCode()).isEqualTo(code);
		return code;
	}

	@Test
	void whenTheClientReplaysItsMessagesThenTheAppSeesEachOnceAndTheServerAcknowledges() throws Exception {
		WireClient client = ResumeTestApplication.client(this.port).connect();
		this.recorder.nextSession();
		client.sendNumbered(1, "one");
		client.sendNumbered(2, "two");
		client.sendNumbered(1, "one");
		client.sendBinary(3, new byte[] { 1, 2, 3 });
		client.sendNumbered(2, "two");

		assertThat(List.of(this.recorder.nextMessage(), this.recorder.nextMessage(), this.recorder.nextMessage()))
			.containsExactly("one", "two", "binary:3");
		await().atMost(Duration.ofSeconds(10)).until(() -> client.serverAcknowledged() == 3);
		assertThat(this.recorder.received).isEmpty();
		client.close();
	}

	@Test
	void whenAClientDoesNotOfferTheProtocolThenItGetsPlainWebSocket() throws Exception {
		WireClient client = ResumeTestApplication.client(this.port).plain().connect();
		WebSocketSession session = this.recorder.nextSession();
		assertThat(session).isInstanceOf(DrainingWebSocketSession.class);
		assertThat(client.acceptedProtocol()).isEmpty();
		session.sendMessage(new TextMessage("plain"));
		session.sendMessage(new BinaryMessage(new byte[] { 7 }));
		client.sendRaw("hello");
		assertThat(this.recorder.nextMessage()).isEqualTo("hello");
		await().atMost(Duration.ofSeconds(10)).until(() -> client.inbox().unexpected().size() == 2);
		assertThat(client.inbox().unexpected().get(0)).isEqualTo("plain");
		client.close();
	}

	@Test
	void atOneKilobyteMessagesTheProtocolAddsLessThanTwoPercentOnTheWire() throws Exception {
		WireClient client = ResumeTestApplication.client(this.port).connect();
		ResumableSession session = (ResumableSession) this.recorder.nextSession();
		String kilobyte = "x".repeat(1024);
		int count = 10_000;
		for (int i = 0; i < count; i++) {
			session.sendMessage((i % 2 == 0) ? new TextMessage(kilobyte) : new BinaryMessage(kilobyte.getBytes()));
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> client.inbox().size() == count);
		CloseResult result = session.closeAsync(CloseStatus.NORMAL).get(10, TimeUnit.SECONDS);
		assertThat(result.unacknowledged()).isZero();

		WireClient.Inbox inbox = client.inbox();
		// Envelopes and the session frame, plus every acknowledgement with its masked 6-byte frame header.
		long overhead = inbox.wireBytes() - inbox.appBytes() + inbox.ackBytes();
		double percent = 100.0 * overhead / inbox.appBytes();
		System.out.printf("wsdrain.v1 overhead at 1 KB: %d bytes over %d app bytes = %.3f%%%n", overhead,
				inbox.appBytes(), percent);
		assertThat(percent).isLessThan(2.0);
	}

}

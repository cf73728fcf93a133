package io.github.wsdrain.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.testsupport.WireClient;

/**
 * What a test client received on one connection: the text messages in arrival order,
 * then how the connection ended.
 */
final class ReceivedStream {

	private final List<String> messages = Collections.synchronizedList(new ArrayList<>());

	private final CompletableFuture<Ending> ending = new CompletableFuture<>();

	private volatile Runnable abort = () -> {
	};

	/**
	 * Connect a wire-level {@code wsdrain.v1} client, acknowledging every 50 ms unless the
	 * builder says never, whose payloads (across resumes) and end this stream records.
	 * @param builder the client, to the endpoint
	 * @return the client, receiving
	 * @throws IllegalStateException if the server did not select {@code wsdrain.v1}
	 * @throws Exception if the connection cannot be opened
	 */
	WireClient connectWire(WireClient.Builder builder) throws Exception {
		WireClient client = builder.inbox(new WireClient.Inbox().onPayload(this::message))
			.ackDelay(Duration.ofMillis(50))
			.connect();
		return follow(client);
	}

	/**
	 * Resume a dropped client's session on a new connection, with its token and the last
	 * sequence number it received; the stream goes on.
	 * @param dropped a client that dropped its connection on purpose
	 * @param builder a new client, to the same endpoint
	 * @return the resumed client
	 * @throws Exception if the connection cannot be opened
	 */
	WireClient resumeWire(WireClient dropped, WireClient.Builder builder) throws Exception {
		dropped.dropped().get(10, TimeUnit.SECONDS);
		WireClient.Inbox inbox = dropped.inbox();
		return follow(builder.inbox(inbox).ackDelay(Duration.ofMillis(50)).resume(dropped.token(), inbox.last()).connect());
	}

	private WireClient follow(WireClient client) {
		if (!WireClient.PROTOCOL.equals(client.acceptedProtocol())) {
			client.abort();
			throw new IllegalStateException("Server selected '" + client.acceptedProtocol() + "', not "
					+ WireClient.PROTOCOL);
		}
		onAbort(client::abort);
		client.ending().thenAccept((end) -> closed(end.code(), end.reason(), end.closeFrameReceived()));
		return client;
	}

	void message(String text) {
		this.messages.add(text);
	}

	void closed(int code, String reason, boolean closeFrameReceived) {
		this.ending.complete(new Ending(code, reason, closeFrameReceived));
	}

	Ending awaitEnding(Duration timeout) throws Exception {
		return this.ending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	CompletableFuture<Ending> ending() {
		return this.ending;
	}

	void onAbort(Runnable abort) {
		this.abort = abort;
	}

	/** Drop the connection from the client side without a closing handshake. */
	void abort() {
		this.abort.run();
	}

	List<String> messages() {
		synchronized (this.messages) {
			return List.copyOf(this.messages);
		}
	}

	/** The decimal index before the first {@code |} of each message, in arrival order. */
	List<Integer> indexes() {
		return messages().stream()
			.filter((text) -> !text.startsWith("END|"))
			.map((text) -> Integer.parseInt(text.substring(0, text.indexOf('|'))))
			.toList();
	}

	/**
	 * How a connection ended.
	 *
	 * @param code the close code (1006 when no close frame arrived)
	 * @param reason the close reason
	 * @param closeFrameReceived whether the server's close frame arrived
	 */
	record Ending(int code, String reason, boolean closeFrameReceived) {

	}

}

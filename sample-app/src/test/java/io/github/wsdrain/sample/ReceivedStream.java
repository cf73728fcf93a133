package io.github.wsdrain.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What a test client received on one connection: the text messages in arrival order,
 * then how the connection ended.
 */
final class ReceivedStream {

	private final List<String> messages = Collections.synchronizedList(new ArrayList<>());

	private final CompletableFuture<Ending> ending = new CompletableFuture<>();

	private volatile Runnable abort = () -> {
	};

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

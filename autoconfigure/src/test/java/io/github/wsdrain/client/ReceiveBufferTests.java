package io.github.wsdrain.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.client.ReceiveBuffer.Offer;
import io.github.wsdrain.client.ReceiveBuffer.Received;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.web.socket.TextMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hand-over from the reading thread to the consumer: a consumer that finds the buffer
 * empty first yields its core, then parks; either way it takes every message, in order.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReceiveBufferTests {

	private static final Duration LONG = Duration.ofSeconds(20);

	private final ReceiveBuffer buffer = new ReceiveBuffer(1_000, 1024 * 1024, ReceiveOverflowPolicy.BLOCK);

	/** 100,000 messages offered as fast as one thread can, taken by another: all of them, in order. */
	@Test
	void aConsumerAsFastAsTheReaderTakesEveryMessageInOrder() throws Exception {
		this.buffer.allowBlocking();
		int count = 100_000;
		CompletableFuture<List<String>> taken = CompletableFuture.supplyAsync(() -> take(count));
		for (int i = 0; i < count; i++) {
			assertThat(this.buffer.offer(new TextMessage(Integer.toString(i)), 8, 0)).isEqualTo(Offer.BUFFERED);
		}
		List<String> payloads = taken.get(LONG.toSeconds(), TimeUnit.SECONDS);
		assertThat(payloads).hasSize(count);
		for (int i = 0; i < count; i++) {
			assertThat(payloads.get(i)).isEqualTo(Integer.toString(i));
		}
	}

	/** A consumer parked on an empty buffer, past its yields, is woken by the next message. */
	@Test
	void aConsumerParkedOnAnEmptyBufferIsWokenByTheNextMessage() throws Exception {
		Thread[] consumer = new Thread[1];
		CompletableFuture<List<String>> taken = CompletableFuture.supplyAsync(() -> {
			consumer[0] = Thread.currentThread();
			return take(1);
		});
		await().atMost(LONG)
			.until(() -> consumer[0] != null && consumer[0].getState() == Thread.State.TIMED_WAITING);

		this.buffer.offer(new TextMessage("late"), 4, 0);

		assertThat(taken.get(LONG.toSeconds(), TimeUnit.SECONDS)).containsExactly("late");
	}

	private List<String> take(int count) {
		List<String> payloads = new ArrayList<>(count);
		try {
			for (int i = 0; i < count; i++) {
				Received received = this.buffer.take(LONG);
				payloads.add(((TextMessage) received.message()).getPayload());
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return payloads;
	}

}

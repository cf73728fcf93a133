package io.github.wsdrain.server.resume.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How frames are packed into stream entries and read back, without Redis: every kind of
 * payload buffer comes back byte for byte, and a batch larger than an entry spans several.
 */
class RedisFramesTests {

	@Test
	void payloadsComeBackByteForByteWhateverBufferHeldThem() {
		byte[] backing = "..slice..".getBytes(StandardCharsets.US_ASCII);
		ByteBuffer offsetSlice = ByteBuffer.wrap(backing, 2, 5).slice();
		ByteBuffer advanced = ByteBuffer.wrap("skipkept".getBytes(StandardCharsets.US_ASCII));
		advanced.position(4);
		ByteBuffer direct = ByteBuffer.allocateDirect(6).put("direct".getBytes(StandardCharsets.US_ASCII)).flip();
		List<WebSocketMessage<?>> batch = List.of(new TextMessage("héllo"), new BinaryMessage(offsetSlice),
				new BinaryMessage(advanced), new BinaryMessage(direct));

		List<WebSocketMessage<?>> read = roundTrip(batch, 1);

		assertThat(read).hasSize(4);
		assertThat(((TextMessage) read.get(0)).getPayload()).isEqualTo("héllo");
		assertThat(bytes(read.get(1))).isEqualTo("slice");
		assertThat(bytes(read.get(2))).isEqualTo("kept");
		assertThat(bytes(read.get(3))).isEqualTo("direct");
		assertThat(offsetSlice.position()).as("the payload is left as it was").isZero();
	}

	@Test
	void aBatchLargerThanAnEntrySpansSeveralInOrder() {
		List<WebSocketMessage<?>> batch = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			byte[] payload = new byte[1024];
			payload[0] = (byte) i;
			batch.add(new BinaryMessage(payload));
		}
		List<Object> args = new ArrayList<>();

		RedisFrames.entries(batch, args);

		assertThat(args).as("frame count and frames, per entry").hasSize(4);
		List<WebSocketMessage<?>> read = roundTrip(batch, 1);
		assertThat(read).hasSize(100);
		for (int i = 0; i < 100; i++) {
			assertThat(((BinaryMessage) read.get(i)).getPayload().get(0)).isEqualTo((byte) i);
		}
	}

	/** Pack a batch from a sequence, then read it back as {@code read.lua} returns its entries. */
	private static List<WebSocketMessage<?>> roundTrip(List<WebSocketMessage<?>> batch, long first) {
		List<Object> args = new ArrayList<>();
		RedisFrames.entries(batch, args);
		List<Object> entries = new ArrayList<>();
		long seq = first;
		for (int i = 0; i < args.size(); i += 2) {
			long last = seq + Long.parseLong((String) args.get(i)) - 1;
			byte[] id = (last + "-" + seq).getBytes(StandardCharsets.US_ASCII);
			entries.add(List.of(id, List.of("f".getBytes(StandardCharsets.US_ASCII), args.get(i + 1))));
			seq = last + 1;
		}
		List<WebSocketMessage<?>> frames = new ArrayList<>();
		RedisFrames.read(entries, first, seq - 1, frames);
		return frames;
	}

	private static String bytes(WebSocketMessage<?> message) {
		ByteBuffer payload = ((BinaryMessage) message).getPayload();
		byte[] bytes = new byte[payload.remaining()];
		payload.get(bytes);
		return new String(bytes, StandardCharsets.US_ASCII);
	}

}

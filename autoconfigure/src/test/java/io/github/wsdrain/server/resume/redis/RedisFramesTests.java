package io.github.wsdrain.server.resume.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a batch is packed into stream entries and read back, without Redis: the store's
 * socket tests ({@link RedisResumeStoreTests}) cover the same on a real server.
 */
class RedisFramesTests {

	@Test
	void batchReadsBackInOrderAcrossEntries() {
		List<WebSocketMessage<?>> batch = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			batch.add((i % 3 == 0) ? new TextMessage("text " + i) : new BinaryMessage(new byte[1000 + i]));
		}
		List<?> entries = storedEntries(11, batch);
		assertThat(entries).hasSize(2);

		List<WebSocketMessage<?>> read = new ArrayList<>();
		RedisFrames.read(entries, 11, 110, read);

		assertThat(read).hasSize(100);
		for (int i = 0; i < 100; i++) {
			assertThat(read.get(i).getClass()).isEqualTo(batch.get(i).getClass());
			assertThat(read.get(i).getPayloadLength()).isEqualTo(batch.get(i).getPayloadLength());
		}
		assertThat(((TextMessage) read.get(99)).getPayload()).isEqualTo("text 99");
	}

	@Test
	void payloadsReadBackByteForByteWhateverBufferHeldThem() {
		byte[] backing = "..slice..".getBytes(StandardCharsets.US_ASCII);
		ByteBuffer offsetSlice = ByteBuffer.wrap(backing, 2, 5).slice();
		ByteBuffer advanced = ByteBuffer.wrap("skipkept".getBytes(StandardCharsets.US_ASCII));
		advanced.position(4);
		ByteBuffer direct = ByteBuffer.allocateDirect(6).put("direct".getBytes(StandardCharsets.US_ASCII)).flip();
		List<WebSocketMessage<?>> batch = List.of(new TextMessage("héllo"), new BinaryMessage(offsetSlice),
				new BinaryMessage(advanced), new BinaryMessage(direct));
		List<WebSocketMessage<?>> read = new ArrayList<>();

		RedisFrames.read(storedEntries(1, batch), 1, 4, read);

		assertThat(read).hasSize(4);
		assertThat(((TextMessage) read.get(0)).getPayload()).isEqualTo("héllo");
		assertThat(read.subList(1, 4)).extracting(RedisFramesTests::ascii).containsExactly("slice", "kept", "direct");
		assertThat(offsetSlice.position()).as("the payload is left as it was").isZero();
	}

	@Test
	void readStartsInTheMiddleOfAnEntry() {
		List<WebSocketMessage<?>> batch = List.of(new TextMessage("1"), new TextMessage("2"), new TextMessage("3"));
		List<WebSocketMessage<?>> read = new ArrayList<>();

		RedisFrames.read(storedEntries(1, batch), 2, 3, read);

		assertThat(read).extracting((message) -> (Object) message.getPayload()).containsExactly("2", "3");
	}

	@Test
	void damagedEntryEndsTheFramesWithoutAnException() {
		List<WebSocketMessage<?>> batch = List.of(new TextMessage("one"), new TextMessage("two"),
				new TextMessage("three"));
		List<Object> entry = new ArrayList<>((List<?>) storedEntries(1, batch).get(0));
		List<?> fields = (List<?>) entry.get(1);
		byte[] frames = (byte[]) fields.get(1);
		// Cut inside the last payload, as a lost tail would.
		entry.set(1, List.of(fields.get(0), Arrays.copyOf(frames, frames.length - 2)));
		List<WebSocketMessage<?>> read = new ArrayList<>();

		RedisFrames.read(List.of(entry), 1, 3, read);

		assertThat(read).extracting((message) -> (Object) message.getPayload()).containsExactly("one", "two");
	}

	private static String ascii(WebSocketMessage<?> message) {
		ByteBuffer payload = ((BinaryMessage) message).getPayload();
		byte[] bytes = new byte[payload.remaining()];
		payload.get(bytes);
		return new String(bytes, StandardCharsets.US_ASCII);
	}

	/** The entries as {@code read.lua} returns them: per entry its ID and its fields. */
	private static List<?> storedEntries(long firstSeq, List<WebSocketMessage<?>> batch) {
		List<Object> entries = new ArrayList<>();
		long seq = firstSeq;
		for (RedisFrames.Entry entry : RedisFrames.entries(batch)) {
			int count = entry.frameCount();
			String id = (seq + count - 1) + "-" + seq;
			entries.add(List.of(id.getBytes(StandardCharsets.US_ASCII),
					List.of("f".getBytes(StandardCharsets.US_ASCII), entry.frames())));
			seq += count;
		}
		return entries;
	}

}

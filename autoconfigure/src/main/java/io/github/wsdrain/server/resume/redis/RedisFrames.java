package io.github.wsdrain.server.resume.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;

/**
 * How a session's outbound frames sit in its stream: a batch as few entries as its size
 * allows, each one field {@code f} whose value is its frames one after the other, each a
 * type byte ({@code t} or {@code b}), the payload's length (4 bytes, big-endian) and the
 * payload. An entry's ID is {@code <its last sequence>-<its first sequence>}: trimming
 * below {@code <ack + 1>-0} keeps exactly the entries that hold an unacknowledged frame, and
 * reading from {@code <last + 1>-0} starts with the entry that holds {@code last + 1}.
 */
final class RedisFrames {

	/**
	 * The most frame bytes an entry takes unless a single frame is larger: its node in
	 * Redis then fits a 64 KiB allocation, and the arguments of a batch stay few.
	 */
	static final int ENTRY_BYTES = 65_536 - 256;

	/** The type byte and the payload's length before each payload. */
	private static final int HEADER_BYTES = 5;

	private RedisFrames() {
	}

	/**
	 * Split a batch into its stream entries.
	 * @param messages the batch, in sequence order
	 * @return its entries, in order
	 */
	static List<Entry> entries(List<? extends WebSocketMessage<?>> messages) {
		int count = messages.size();
		List<Entry> entries = new ArrayList<>(4);
		// Text payloads encoded once; binary ones copied straight from their buffers.
		byte[][] texts = new byte[count][];
		int first = 0;
		int bytes = 0;
		for (int i = 0; i < count; i++) {
			WebSocketMessage<?> message = messages.get(i);
			int size;
			if (message instanceof TextMessage text) {
				texts[i] = text.asBytes();
				size = texts[i].length;
			}
			else {
				size = ((BinaryMessage) message).getPayload().remaining();
			}
			if (i > first && bytes + HEADER_BYTES + size > ENTRY_BYTES) {
				entries.add(new Entry(i - first, entry(messages, texts, first, i, bytes)));
				first = i;
				bytes = 0;
			}
			bytes += HEADER_BYTES + size;
		}
		if (count > first) {
			entries.add(new Entry(count - first, entry(messages, texts, first, count, bytes)));
		}
		return entries;
	}

	private static byte[] entry(List<? extends WebSocketMessage<?>> messages, byte[][] texts, int from, int to,
			int bytes) {
		byte[] entry = new byte[bytes];
		ByteBuffer out = ByteBuffer.wrap(entry);
		for (int i = from; i < to; i++) {
			byte[] text = texts[i];
			if (text != null) {
				out.put((byte) 't').putInt(text.length).put(text);
			}
			else {
				ByteBuffer payload = ((BinaryMessage) messages.get(i)).getPayload();
				int length = payload.remaining();
				out.put((byte) 'b').putInt(length);
				if (payload.hasArray()) {
					// A plain copy: the buffer-to-buffer one checks each access of a heap payload.
					System.arraycopy(payload.array(), payload.arrayOffset() + payload.position(), entry, out.position(),
							length);
				}
				else {
					out.put(out.position(), payload, payload.position(), length);
				}
				out.position(out.position() + length);
			}
		}
		return entry;
	}

	/**
	 * Read the frames of stream entries, as {@code read.lua} returns them, from a sequence
	 * on, up to the first gap or damaged frame.
	 * @param entries the entries: each its ID and its fields
	 * @param from the first sequence wanted
	 * @param upTo the last sequence wanted
	 * @param frames the list to add the frames to
	 */
	static void read(List<?> entries, long from, long upTo, List<WebSocketMessage<?>> frames) {
		long expected = from;
		for (Object entry : entries) {
			List<?> parts = (List<?>) entry;
			String id = new String((byte[]) parts.get(0), StandardCharsets.US_ASCII);
			long seq = Long.parseLong(id.substring(id.indexOf('-') + 1));
			List<?> fields = (List<?>) parts.get(1);
			if (seq > expected || fields.size() < 2) {
				return;
			}
			ByteBuffer in = ByteBuffer.wrap((byte[]) fields.get(1));
			for (; in.remaining() >= HEADER_BYTES && expected <= upTo; seq++) {
				byte type = in.get();
				int length = in.getInt();
				if (length < 0 || length > in.remaining()) {
					// A damaged entry ends the frames here: the caller finds the gap.
					return;
				}
				if (seq < expected) {
					in.position(in.position() + length);
					continue;
				}
				byte[] payload = new byte[length];
				in.get(payload);
				frames.add((type == 'b') ? new BinaryMessage(payload) : new TextMessage(payload));
				expected++;
			}
		}
	}

	/**
	 * One stream entry of a batch.
	 * @param frameCount how many frames it holds
	 * @param frames its frames, one after the other
	 */
	record Entry(int frameCount, byte[] frames) {
	}

}

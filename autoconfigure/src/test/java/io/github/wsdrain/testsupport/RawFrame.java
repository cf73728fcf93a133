package io.github.wsdrain.testsupport;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * One RFC 6455 frame as the raw test peers read it, unmasked.
 *
 * @param fin whether it is the final frame of its message
 * @param opcode its opcode
 * @param payload its payload
 */
public record RawFrame(boolean fin, int opcode, byte[] payload) {

	public static final int CONTINUATION = 0x0;

	public static final int TEXT = 0x1;

	public static final int BINARY = 0x2;

	public static final int CLOSE = 0x8;

	public static final int PING = 0x9;

	public static final int PONG = 0xA;

	/**
	 * Read the next frame, unmasking it if it is masked.
	 * @param in the stream after the opening handshake
	 * @return the frame, or {@code null} at the end of the stream
	 * @throws IOException if reading fails or the stream ends inside a frame
	 */
	public static @Nullable RawFrame read(InputStream in) throws IOException {
		int first = in.read();
		if (first < 0) {
			return null;
		}
		int second = readByte(in);
		long length = second & 0x7F;
		if (length == 126) {
			length = (readByte(in) << 8) | readByte(in);
		}
		else if (length == 127) {
			length = ByteBuffer.wrap(readExactly(in, 8)).getLong();
		}
		byte[] mask = ((second & 0x80) != 0) ? readExactly(in, 4) : null;
		byte[] payload = readExactly(in, Math.toIntExact(length));
		if (mask != null) {
			for (int i = 0; i < payload.length; i++) {
				payload[i] ^= mask[i % 4];
			}
		}
		return new RawFrame((first & 0x80) != 0, first & 0x0F, payload);
	}

	private static byte[] readExactly(InputStream in, int length) throws IOException {
		byte[] bytes = in.readNBytes(length);
		if (bytes.length < length) {
			throw new EOFException();
		}
		return bytes;
	}

	private static int readByte(InputStream in) throws IOException {
		int value = in.read();
		if (value < 0) {
			throw new EOFException();
		}
		return value;
	}

	public String text() {
		return new String(this.payload, StandardCharsets.UTF_8);
	}

	public boolean isClose() {
		return this.opcode == CLOSE;
	}

	public int closeCode() {
		return (this.payload.length >= 2) ? ((this.payload[0] & 0xFF) << 8) | (this.payload[1] & 0xFF) : 1005;
	}

	public String closeReason() {
		return (this.payload.length > 2)
				? new String(this.payload, 2, this.payload.length - 2, StandardCharsets.UTF_8) : "";
	}

}

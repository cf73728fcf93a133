package io.github.wsdrain.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * The scale clients' frame decoder, fed the same server frames in one piece and split at
 * every kind of boundary: inside headers of every length form, inside payloads, inside
 * control frames.
 */
class FrameDecoderTests {

	@Test
	void countsMessagesAndBytesAndHandsOnControlFramesWhereverTheReadsSplit() throws IOException {
		ByteArrayOutputStream stream = new ByteArrayOutputStream();
		stream.write(serverFrame(true, 0x2, 1024));
		stream.write(serverFrame(false, 0x2, 100));
		stream.write(serverFrame(false, 0x0, 70_000));
		stream.write(serverFrame(true, 0x0, 0));
		stream.write(serverFrame(true, 0x9, 22));
		stream.write(serverFrame(true, 0x1, 125));
		stream.write(serverFrame(true, 0x2, 126));
		stream.write(serverFrame(true, 0x2, 0));
		stream.write(serverFrame(true, 0x8, 2));
		byte[] bytes = stream.toByteArray();
		Random random = new Random(42);
		for (int run = 0; run < 200; run++) {
			FrameDecoder decoder = new FrameDecoder();
			List<String> control = new ArrayList<>();
			int at = 0;
			while (at < bytes.length) {
				// Run 0 reads everything at once; then reads of 1 to 3 bytes, and of up to 300.
				int most = (run == 0) ? bytes.length : (run % 2 == 0) ? 3 : 300;
				int length = Math.min(bytes.length - at, 1 + random.nextInt(most));
				decoder.decode(ByteBuffer.wrap(bytes, at, length),
						(opcode, payload) -> control.add(opcode + ":" + payload.length));
				at += length;
			}
			assertThat(decoder.messages()).isEqualTo(5);
			assertThat(decoder.bytes()).isEqualTo(1024 + 100 + 70_000 + 125 + 126);
			assertThat(control).containsExactly("9:22", "8:2");
		}
	}

	@Test
	void refusesAMaskedServerFrame() {
		byte[] frame = { (byte) 0x82, (byte) 0x81, 0, 0, 0, 0, 7 };
		assertThatIOException()
			.isThrownBy(() -> new FrameDecoder().decode(ByteBuffer.wrap(frame), (opcode, payload) -> {
			}))
			.withMessageContaining("masked");
	}

	@Test
	void masksClientFramesWithTheZeroKey() {
		assertThat(FrameDecoder.clientFrame(0xA, new byte[] { 1, 2 }))
			.containsExactly((byte) 0x8A, (byte) 0x82, 0, 0, 0, 0, 1, 2);
	}

	private static byte[] serverFrame(boolean fin, int opcode, int length) {
		ByteBuffer frame = ByteBuffer.allocate(10 + length);
		frame.put((byte) ((fin ? 0x80 : 0) | opcode));
		if (length < 126) {
			frame.put((byte) length);
		}
		else if (length <= 0xFFFF) {
			frame.put((byte) 126).putShort((short) length);
		}
		else {
			frame.put((byte) 127).putLong(length);
		}
		for (int i = 0; i < length; i++) {
			frame.put((byte) i);
		}
		return Arrays.copyOf(frame.array(), frame.position());
	}

}

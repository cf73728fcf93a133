package io.github.wsdrain.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The {@code wsdrain.v1} data frame both ways, text and binary, at the edges of the
 * sequence numbers, and the binary headers a peer must not get away with.
 */
class FrameCodecTests {

	@ParameterizedTest
	@ValueSource(longs = { 1, 9, 10, 99, 1_000_000, 999_999_999_999_999_999L })
	void aDataFrameParsesBackToItsSequenceNumberAndPayload(long seq) throws Exception {
		WebSocketMessage<?> text = FrameCodec.data(seq, new TextMessage("héllo:world"));
		assertThat(text.getPayload()).isEqualTo("m:" + seq + ":héllo:world");
		Frame.Data parsedText = (Frame.Data) FrameCodec.parse(text);
		assertThat(parsedText.seq()).isEqualTo(seq);
		assertThat(parsedText.payload()).isEqualTo(new TextMessage("héllo:world"));

		ByteBuffer source = ByteBuffer.wrap(new byte[] { 9, 1, 2, ':', 3, 9 }, 1, 4);
		WebSocketMessage<?> binary = FrameCodec.data(seq, new BinaryMessage(source));
		assertThat(StandardCharsets.US_ASCII.decode(((BinaryMessage) binary).getPayload().duplicate()).toString())
			.startsWith("m:" + seq + ":");
		Frame.Data frame = (Frame.Data) FrameCodec.parse(binary);
		assertThat(frame.seq()).isEqualTo(seq);
		assertThat(((BinaryMessage) frame.payload()).getPayload()).isEqualTo(ByteBuffer.wrap(new byte[] { 1, 2, ':', 3 }));
		assertThat(source.position()).as("the app's buffer is left alone").isEqualTo(1);
	}

	@ParameterizedTest
	@ValueSource(strings = { "heap", "heap slice", "read-only", "direct" })
	void aBinaryDataFrameIsTheTextHeaderFollowedByThePayloadForEveryKindOfBuffer(String kind) {
		byte[] bytes = new byte[300];
		for (int i = 0; i < bytes.length; i++) {
			bytes[i] = (byte) (i * 7);
		}
		ByteBuffer source = switch (kind) {
			case "heap" -> ByteBuffer.wrap(bytes);
			case "heap slice" -> ByteBuffer.wrap(bytes, 40, 200).slice().position(10);
			case "read-only" -> ByteBuffer.wrap(bytes).asReadOnlyBuffer().position(5);
			default -> ByteBuffer.allocateDirect(bytes.length).put(bytes).flip().position(3);
		};
		ByteBuffer expectedPayload = source.duplicate();
		long seq = 1;
		for (int digits = 1; digits <= 19; digits++) {
			// Each digit count at its edges: 10^(n-1) and 10^n - 1 (Long.MAX_VALUE for 19).
			long lowest = seq;
			long highest = (digits < 19) ? lowest * 10 - 1 : Long.MAX_VALUE;
			for (long number : new long[] { lowest, highest }) {
				ByteBuffer framed = ((BinaryMessage) FrameCodec.data(number, new BinaryMessage(source))).getPayload();
				byte[] header = ("m:" + number + ":").getBytes(StandardCharsets.US_ASCII);
				ByteBuffer expected = ByteBuffer.allocate(header.length + expectedPayload.remaining())
					.put(header)
					.put(expectedPayload.duplicate())
					.flip();
				assertThat(framed).as("frame of %d from a %s buffer", number, kind).isEqualTo(expected);
			}
			seq = (digits < 19) ? seq * 10 : seq;
		}
		assertThat(source).as("the app's buffer is left alone").isEqualTo(expectedPayload);
		assertThat(source.position()).isEqualTo(expectedPayload.position());
	}

	@ParameterizedTest
	@ValueSource(strings = { "m::x", "m:1x:x", "m:12", "m:1234567890123456789:x", "x:1:x" })
	void aMalformedBinaryHeaderIsAProtocolError(String header) {
		BinaryMessage message = new BinaryMessage(header.getBytes(StandardCharsets.US_ASCII));
		assertThatExceptionOfType(ProtocolViolationException.class).isThrownBy(() -> FrameCodec.parse(message))
			.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(1002));
	}

}

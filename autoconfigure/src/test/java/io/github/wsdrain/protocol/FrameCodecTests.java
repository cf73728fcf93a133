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
	@ValueSource(strings = { "m::x", "m:1x:x", "m:12", "m:1234567890123456789:x", "x:1:x" })
	void aMalformedBinaryHeaderIsAProtocolError(String header) {
		BinaryMessage message = new BinaryMessage(header.getBytes(StandardCharsets.US_ASCII));
		assertThatExceptionOfType(ProtocolViolationException.class).isThrownBy(() -> FrameCodec.parse(message))
			.satisfies((ex) -> assertThat(ex.getStatus().getCode()).isEqualTo(1002));
	}

}

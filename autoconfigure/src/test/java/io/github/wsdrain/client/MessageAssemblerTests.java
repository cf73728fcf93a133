package io.github.wsdrain.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.WebSocketMessage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The assembler on its own, fed as a container feeds it: a container reuses its read
 * buffer once the call returns, so whatever the assembler hands on must own its bytes.
 */
class MessageAssemblerTests {

	private final List<byte[]> assembled = new ArrayList<>();

	private final List<Long> tooBig = new ArrayList<>();

	private final MessageAssembler assembler = new MessageAssembler(1024, new MessageAssembler.Listener() {

		@Override
		public void assembled(WebSocketMessage<?> message, long bytes) {
			ByteBuffer payload = ((BinaryMessage) message).getPayload();
			byte[] copy = new byte[payload.remaining()];
			payload.duplicate().get(copy);
			assertThat(bytes).isEqualTo(copy.length);
			MessageAssemblerTests.this.assembled.add(copy);
		}

		@Override
		public void tooBig(long maxBytes) {
			MessageAssemblerTests.this.tooBig.add(maxBytes);
		}

	});

	@Test
	void whenAWholeBinaryMessageArrivesThenItKeepsItsBytesAfterTheContainerReusesItsBuffer() {
		byte[] containerBuffer = "xxhello worldxx".getBytes(StandardCharsets.US_ASCII);
		ByteBuffer view = ByteBuffer.wrap(containerBuffer, 2, 11);
		this.assembler.fragment(new BinaryMessage(view, true));
		Arrays.fill(containerBuffer, (byte) '?');

		assertThat(this.assembled).hasSize(1);
		assertThat(new String(this.assembled.get(0), StandardCharsets.US_ASCII)).isEqualTo("hello world");
		assertThat(view.position()).as("the container's buffer is left as it was").isEqualTo(2);
	}

	@Test
	void whenABinaryMessageArrivesIn3FragmentsThenOneWholeMessageFollowsTheLast() {
		byte[] containerBuffer = new byte[4];
		for (String part : List.of("abcd", "efgh", "ij")) {
			byte[] bytes = part.getBytes(StandardCharsets.US_ASCII);
			System.arraycopy(bytes, 0, containerBuffer, 0, bytes.length);
			this.assembler.fragment(new BinaryMessage(ByteBuffer.wrap(containerBuffer, 0, bytes.length), part.equals("ij")));
			assertThat(this.assembled).hasSize(part.equals("ij") ? 1 : 0);
		}
		// A whole message right after the fragmented one starts afresh.
		this.assembler.fragment(new BinaryMessage(ByteBuffer.wrap(new byte[] { 'k' }), true));

		assertThat(this.assembled).extracting((bytes) -> new String(bytes, StandardCharsets.US_ASCII))
			.containsExactly("abcdefghij", "k");
	}

	@Test
	void whenAWholeBinaryMessageIsLargerThanTheBoundThenItIsRefusedAndTheNextOneStillArrives() {
		this.assembler.fragment(new BinaryMessage(ByteBuffer.allocate(1025), true));
		this.assembler.fragment(new BinaryMessage(ByteBuffer.allocate(1024), true));

		assertThat(this.tooBig).containsExactly(1024L);
		assertThat(this.assembled).hasSize(1);
		assertThat(this.assembled.get(0)).hasSize(1024);
	}

}

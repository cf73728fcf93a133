package io.github.wsdrain.protocol;

import java.nio.ByteBuffer;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;

/**
 * One {@code wsdrain.v1} frame (PROTOCOL.md §2), as {@link FrameCodec} parsed it: once,
 * without copying the payload.
 */
public sealed interface Frame permits Frame.Data, Frame.Ack, Frame.Session {

	/**
	 * A data frame, {@code m:<seq>:<payload>}, text or binary.
	 * @param seq the sender's sequence number
	 * @param frame the frame as received
	 * @param payloadOffset where the app message starts in the frame
	 */
	record Data(long seq, WebSocketMessage<?> frame, int payloadOffset) implements Frame {

		/**
		 * Return the app message, of the frame's type. Made on demand: a receiver that
		 * drops the frame as a duplicate never copies it.
		 * @return the app message
		 */
		public WebSocketMessage<?> payload() {
			if (this.frame instanceof TextMessage text) {
				return new TextMessage(text.getPayload().substring(this.payloadOffset));
			}
			// One view of the payload, made in one step: on every message received.
			ByteBuffer framed = ((BinaryMessage) this.frame).getPayload();
			return new BinaryMessage(
					framed.slice(framed.position() + this.payloadOffset, framed.remaining() - this.payloadOffset));
		}

		/**
		 * Return the size of the app message without copying it: bytes for binary, UTF-16
		 * units for text.
		 * @return the payload length
		 */
		public int payloadLength() {
			return this.frame.getPayloadLength() - this.payloadOffset;
		}

	}

	/**
	 * A cumulative acknowledgement, {@code a:<seq>}.
	 * @param seq the highest sequence number received
	 */
	record Ack(long seq) implements Frame {
	}

	/**
	 * The session frame, first on every connection, {@code s:<r|n>:<token>:<received>:<windowMs>}.
	 * @param resumed whether the session was resumed ({@code false}: a new session)
	 * @param token the token for the next resume
	 * @param received the highest client sequence number the server has delivered
	 * @param windowMillis how long the server keeps the session after a lost connection
	 */
	record Session(boolean resumed, String token, long received, long windowMillis) implements Frame {
	}

}

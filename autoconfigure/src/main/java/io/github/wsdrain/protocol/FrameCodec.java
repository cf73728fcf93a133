package io.github.wsdrain.protocol;

import java.nio.ByteBuffer;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;

/**
 * Writes and parses {@code wsdrain.v1} frames (PROTOCOL.md §2), for the server and for
 * the client: each received message is parsed once into a {@link Frame}. Text and
 * binary data share one ASCII header, {@code m:<seq>:}, so a browser
 * needs one parser for both and the app message keeps its frame type.
 */
public final class FrameCodec {

	/** The sub-protocol name a client offers to opt in. */
	public static final String PROTOCOL = "wsdrain.v1";

	/** 19 digits overflow a long; sequence numbers never get near 18. */
	private static final int MAX_DIGITS = 18;

	private FrameCodec() {
	}

	/**
	 * Number an app message: a data frame of the same type.
	 * @param seq the sequence number
	 * @param message a text or binary message
	 * @return the data frame
	 */
	public static WebSocketMessage<?> data(long seq, WebSocketMessage<?> message) {
		if (message instanceof TextMessage text) {
			return new TextMessage("m:" + seq + ":" + text.getPayload());
		}
		if (message instanceof BinaryMessage binary) {
			return new BinaryMessage(binaryFrame(seq, binary.getPayload()));
		}
		throw new IllegalArgumentException("Only text and binary messages can be sent on a " + PROTOCOL
				+ " session, not " + message.getClass().getSimpleName());
	}

	/**
	 * Acknowledge every data frame up to and including {@code seq}.
	 * @param seq the highest sequence number received
	 * @return the acknowledgement frame
	 */
	public static TextMessage ack(long seq) {
		return new TextMessage("a:" + seq);
	}

	/**
	 * The first frame of every connection.
	 * @param resumed whether the session was resumed
	 * @param token the token for the next resume
	 * @param receivedSeq the highest client sequence number delivered
	 * @param windowMillis how long the session is kept after a lost connection
	 * @return the session frame
	 */
	public static TextMessage session(boolean resumed, String token, long receivedSeq, long windowMillis) {
		return new TextMessage("s:" + (resumed ? "r" : "n") + ":" + token + ":" + receivedSeq + ":" + windowMillis);
	}

	/**
	 * Parse a data frame ({@code m:<seq>:payload}, text or binary) or a cumulative
	 * acknowledgement ({@code a:<seq>}, text): the frames both sides send.
	 * @param message the received message
	 * @return a {@link Frame.Data} or a {@link Frame.Ack}
	 * @throws ProtocolViolationException if the message is neither
	 */
	public static Frame parse(WebSocketMessage<?> message) throws ProtocolViolationException {
		if (message instanceof TextMessage text) {
			String payload = text.getPayload();
			if (payload.startsWith("a:")) {
				return new Frame.Ack(parseSeq(payload, 2, payload.length()));
			}
			if (payload.startsWith("m:")) {
				int end = payload.indexOf(':', 2);
				if (end < 0) {
					throw ProtocolViolationException.malformed("Data frame without payload separator");
				}
				return new Frame.Data(parseSeq(payload, 2, end), text, end + 1);
			}
			throw ProtocolViolationException.malformed("Unknown text frame");
		}
		if (message instanceof BinaryMessage binary) {
			ByteBuffer buffer = binary.getPayload();
			int start = buffer.position();
			if (buffer.remaining() < 4 || buffer.get(start) != 'm' || buffer.get(start + 1) != ':') {
				throw ProtocolViolationException.malformed("Unknown binary frame");
			}
			// On every message received: digits read in place, no copy of the header.
			long seq = 0;
			for (int i = start + 2; i < buffer.limit() && i - start - 2 <= MAX_DIGITS; i++) {
				byte b = buffer.get(i);
				if (b == ':') {
					if (i == start + 2) {
						throw ProtocolViolationException.malformed("Bad sequence number");
					}
					return new Frame.Data(seq, binary, i + 1 - start);
				}
				if (b < '0' || b > '9' || i - start - 2 == MAX_DIGITS) {
					throw ProtocolViolationException.malformed("Bad sequence number");
				}
				seq = seq * 10 + (b - '0');
			}
			throw ProtocolViolationException.malformed("Binary data frame without payload separator");
		}
		throw ProtocolViolationException.malformed("Unexpected " + message.getClass().getSimpleName());
	}

	/**
	 * On every binary message sent, so built for speed: one new array, the payload copied
	 * into it first. An array copy that directly follows the allocation of its target lets
	 * the JIT zero only the header's bytes rather than the whole frame; the header's digits
	 * are then written into the array, no string or buffer on the way.
	 */
	private static ByteBuffer binaryFrame(long seq, ByteBuffer payload) {
		int digits = digits(seq);
		int header = 3 + digits;
		int length = payload.remaining();
		byte[] framed;
		if (payload.hasArray()) {
			byte[] source = payload.array();
			int from = payload.arrayOffset() + payload.position();
			framed = new byte[header + length];
			System.arraycopy(source, from, framed, header, length);
		}
		else {
			// Direct or read-only: an absolute bulk get, which leaves the app's buffer as it was.
			framed = new byte[header + length];
			payload.get(payload.position(), framed, header, length);
		}
		framed[0] = 'm';
		framed[1] = ':';
		long rest = seq;
		for (int i = 1 + digits; i >= 2; i--) {
			framed[i] = (byte) ('0' + (rest % 10));
			rest /= 10;
		}
		framed[header - 1] = ':';
		return ByteBuffer.wrap(framed);
	}

	/**
	 * Decimal digits of a non-negative number: a multiplication per digit, cheaper than a
	 * division. At 19 digits (the most a long has) it stops before the bound overflows.
	 */
	private static int digits(long value) {
		int digits = 1;
		for (long bound = 10; digits < 19 && value >= bound; bound *= 10) {
			digits++;
		}
		return digits;
	}

	/**
	 * Parse a sequence number: unsigned decimal, at most 18 digits.
	 * @param text the text holding it
	 * @param start its first character
	 * @param end after its last character
	 * @return the number
	 * @throws ProtocolViolationException if it is not one
	 */
	public static long parseSeq(CharSequence text, int start, int end) throws ProtocolViolationException {
		if (end <= start || end - start > MAX_DIGITS) {
			throw ProtocolViolationException.malformed("Bad sequence number");
		}
		long value = 0;
		for (int i = start; i < end; i++) {
			char c = text.charAt(i);
			if (c < '0' || c > '9') {
				throw ProtocolViolationException.malformed("Bad sequence number");
			}
			value = value * 10 + (c - '0');
		}
		return value;
	}

	/**
	 * Parse the session frame the server sends first on every connection,
	 * {@code s:<r|n>:<token>:<received>:<windowMs>}.
	 * @param message the first message of a connection
	 * @return the session frame
	 * @throws ProtocolViolationException if the message is not a session frame
	 */
	public static Frame.Session parseSession(WebSocketMessage<?> message) throws ProtocolViolationException {
		if (!(message instanceof TextMessage text) || !text.getPayload().startsWith("s:")) {
			throw ProtocolViolationException.malformed("Expected a session frame");
		}
		String[] fields = text.getPayload().split(":", -1);
		if (fields.length != 5 || !(fields[1].equals("r") || fields[1].equals("n")) || fields[2].isEmpty()) {
			throw ProtocolViolationException.malformed("Malformed session frame");
		}
		return new Frame.Session(fields[1].equals("r"), fields[2], parseSeq(fields[3], 0, fields[3].length()),
				parseSeq(fields[4], 0, fields[4].length()));
	}

}

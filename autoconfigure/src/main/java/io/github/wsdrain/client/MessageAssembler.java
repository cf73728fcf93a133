package io.github.wsdrain.client;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;

/**
 * Joins the fragments the container delivers into whole messages, on its reading
 * thread, one call at a time; a message larger than the bound is refused as soon as its
 * fragments pass it, so it never occupies more than the bound.
 */
final class MessageAssembler {

	/** A larger assembly buffer is let go after the message, rather than kept for the next. */
	private static final int RETAINED_CAPACITY = 64 * 1024;

	private final long maxBytes;

	private final Listener listener;

	private final StringBuilder text = new StringBuilder();

	private long textBytes;

	private byte[] binary = new byte[0];

	private int binaryLength;

	MessageAssembler(long maxBytes, Listener listener) {
		this.maxBytes = maxBytes;
		this.listener = listener;
	}

	void fragment(WebSocketMessage<?> message) {
		if (message instanceof TextMessage textMessage) {
			text(textMessage);
		}
		else if (message instanceof BinaryMessage binaryMessage) {
			binary(binaryMessage);
		}
	}

	private void text(TextMessage message) {
		String payload = message.getPayload();
		long bytes = utf8Length(payload);
		if (this.text.length() == 0 && message.isLast()) {
			if (fits(bytes)) {
				this.listener.assembled(new TextMessage(payload), bytes);
			}
			return;
		}
		this.text.append(payload);
		this.textBytes += bytes;
		if (!fits(this.textBytes)) {
			resetText();
			return;
		}
		if (message.isLast()) {
			String whole = this.text.toString();
			long wholeBytes = this.textBytes;
			resetText();
			this.listener.assembled(new TextMessage(whole), wholeBytes);
		}
	}

	private void binary(BinaryMessage message) {
		ByteBuffer payload = message.getPayload();
		int length = payload.remaining();
		if (this.binaryLength == 0 && message.isLast()) {
			// A whole message, the usual case: one copy, straight into the message's own array.
			if (fits(length)) {
				byte[] whole = new byte[length];
				payload.duplicate().get(whole);
				this.listener.assembled(new BinaryMessage(whole), length);
			}
			return;
		}
		if (!fits((long) this.binaryLength + length)) {
			resetBinary();
			return;
		}
		if (this.binary.length < this.binaryLength + length) {
			int capacity = Math.max(this.binaryLength + length, this.binary.length * 2);
			this.binary = Arrays.copyOf(this.binary, (int) Math.min(capacity, this.maxBytes));
		}
		// The container may reuse its buffer once this call returns: copy now.
		payload.duplicate().get(this.binary, this.binaryLength, length);
		this.binaryLength += length;
		if (message.isLast()) {
			byte[] whole = Arrays.copyOf(this.binary, this.binaryLength);
			resetBinary();
			this.listener.assembled(new BinaryMessage(whole), whole.length);
		}
	}

	private boolean fits(long messageBytes) {
		if (messageBytes <= this.maxBytes) {
			return true;
		}
		this.listener.tooBig(this.maxBytes);
		return false;
	}

	private void resetText() {
		this.textBytes = 0;
		this.text.setLength(0);
		if (this.text.capacity() > RETAINED_CAPACITY) {
			this.text.trimToSize();
		}
	}

	private void resetBinary() {
		this.binaryLength = 0;
		if (this.binary.length > RETAINED_CAPACITY) {
			this.binary = new byte[0];
		}
	}

	/** Bytes of the UTF-8 encoding, without encoding. */
	static long utf8Length(String text) {
		long length = 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < 0x80) {
				length += 1;
			}
			else if (c < 0x800 || Character.isSurrogate(c)) {
				length += 2; // a surrogate pair is 4 bytes
			}
			else {
				length += 3;
			}
		}
		return length;
	}

	/** What becomes of the messages. */
	interface Listener {

		/** A whole message, with its size in bytes. */
		void assembled(WebSocketMessage<?> message, long bytes);

		/** A message passed the bound: its fragments so far are dropped, the rest is too. */
		void tooBig(long maxBytes);

	}

}

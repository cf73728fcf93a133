package io.github.wsdrain.sample;

import org.springframework.web.socket.TextMessage;

/**
 * The burst format: the decimal index, {@code |}, then filler up to the requested size.
 */
final class NumberedMessages {

	private NumberedMessages() {
	}

	static TextMessage numbered(long index, int size) {
		return padded(index + "|", size);
	}

	static TextMessage padded(String prefix, int size) {
		StringBuilder text = new StringBuilder(Math.max(size, prefix.length())).append(prefix);
		while (text.length() < size) {
			text.append('.');
		}
		return new TextMessage(text);
	}

}

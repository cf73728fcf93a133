package io.github.wsdrain.server.resume;

import java.net.URI;

import io.github.wsdrain.protocol.FrameCodec;
import io.github.wsdrain.protocol.ProtocolViolationException;
import org.jspecify.annotations.Nullable;

import org.springframework.util.MultiValueMap;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * What a handshake asks to resume: the session's token and the last message its client
 * received, as the {@value ResumableSessions#TOKEN_PARAMETER} and
 * {@value ResumableSessions#LAST_PARAMETER} query parameters.
 *
 * @param token the resume token
 * @param lastParameter the client's {@code last}, as sent: checked by {@link #last()}
 */
record ResumeRequest(String token, String lastParameter) {

	/**
	 * Read the resume parameters of a handshake.
	 * @return the request, or {@code null} when the connection asks for a new session
	 */
	static @Nullable ResumeRequest of(URI uri) {
		MultiValueMap<String, String> query = UriComponentsBuilder.fromUri(uri).build().getQueryParams();
		String token = query.getFirst(ResumableSessions.TOKEN_PARAMETER);
		if (token == null) {
			return null;
		}
		return new ResumeRequest(token, String.valueOf(query.getFirst(ResumableSessions.LAST_PARAMETER)));
	}

	/**
	 * Return the last sequence number the client received.
	 * @throws ProtocolViolationException if it is missing or not a sequence number
	 */
	long last() throws ProtocolViolationException {
		return FrameCodec.parseSeq(this.lastParameter, 0, this.lastParameter.length());
	}

}

package io.github.wsdrain.protocol;

import org.springframework.web.socket.CloseStatus;

/**
 * A peer broke the {@code wsdrain.v1} protocol: its connection is closed with
 * {@link #getStatus()}.
 */
class ProtocolViolationException extends Exception {

	private final CloseStatus status;

	ProtocolViolationException(CloseStatus status) {
		super(status.getReason());
		this.status = status;
	}

	static ProtocolViolationException malformed(String reason) {
		return new ProtocolViolationException(CloseStatus.PROTOCOL_ERROR.withReason(reason));
	}

	static ProtocolViolationException policy(String reason) {
		return new ProtocolViolationException(CloseStatus.POLICY_VIOLATION.withReason(reason));
	}

	CloseStatus getStatus() {
		return this.status;
	}

}

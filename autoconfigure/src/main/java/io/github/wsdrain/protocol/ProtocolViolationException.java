package io.github.wsdrain.protocol;

import org.springframework.web.socket.CloseStatus;

/**
 * A peer broke the {@code wsdrain.v1} protocol: its connection is closed with
 * {@link #getStatus()}.
 */
public class ProtocolViolationException extends Exception {

	private final CloseStatus status;

	ProtocolViolationException(CloseStatus status) {
		super(status.getReason());
		this.status = status;
	}

	/**
	 * Create the exception for a malformed frame or sequence: 1002.
	 * @param reason the close reason
	 * @return the exception
	 */
	public static ProtocolViolationException malformed(String reason) {
		return new ProtocolViolationException(CloseStatus.PROTOCOL_ERROR.withReason(reason));
	}

	public static ProtocolViolationException policy(String reason) {
		return new ProtocolViolationException(CloseStatus.POLICY_VIOLATION.withReason(reason));
	}

	/**
	 * Return the status to close the offending connection with.
	 * @return 1002 for a malformed frame, 1008 for a policy violation
	 */
	public CloseStatus getStatus() {
		return this.status;
	}

}

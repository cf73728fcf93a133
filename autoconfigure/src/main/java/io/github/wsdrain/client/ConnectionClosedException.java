package io.github.wsdrain.client;

import org.springframework.web.socket.CloseStatus;

/**
 * Thrown by {@link BufferedWebSocketConnection#receive()} once the connection has ended
 * and every message received before the end has been returned.
 */
public class ConnectionClosedException extends RuntimeException {

	private final int code;

	private final String reason;

	private final boolean closeFrameReceived;

	public ConnectionClosedException(int code, String reason, boolean closeFrameReceived) {
		super(describe(code, reason, closeFrameReceived));
		this.code = code;
		this.reason = reason;
		this.closeFrameReceived = closeFrameReceived;
	}

	private static String describe(int code, String reason, boolean closeFrameReceived) {
		return "WebSocket connection closed with code " + code + (reason.isEmpty() ? "" : " (" + reason + ")")
				+ (closeFrameReceived ? "" : ", no close frame received");
	}

	/**
	 * Return the close code: the peer's, or 1006 when the connection ended without a
	 * close frame, or the code this side closed with.
	 * @return the close code
	 */
	public int getCode() {
		return this.code;
	}

	/**
	 * Return the close reason, possibly empty.
	 * @return the close reason
	 */
	public String getReason() {
		return this.reason;
	}

	/**
	 * Return whether a close frame was received from the peer.
	 * @return whether the peer sent a close frame
	 */
	public boolean isCloseFrameReceived() {
		return this.closeFrameReceived;
	}

	/**
	 * Return the close code and reason as a Spring {@link CloseStatus}.
	 * @return the close status
	 */
	public CloseStatus getCloseStatus() {
		return new CloseStatus(this.code, this.reason);
	}

	/**
	 * Return whether the connection ended cleanly: a close frame was received and the
	 * code is 1000 (normal closure) or 1001 (going away).
	 * @return whether the close was normal
	 */
	public boolean isNormalClosure() {
		return this.closeFrameReceived && (this.code == 1000 || this.code == 1001);
	}

}

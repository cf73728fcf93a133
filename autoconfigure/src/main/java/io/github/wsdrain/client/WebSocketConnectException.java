package io.github.wsdrain.client;

/**
 * Thrown when {@link BufferedWebSocketClient#connect} cannot open a connection: refused,
 * handshake rejected, timed out or interrupted.
 */
public class WebSocketConnectException extends RuntimeException {

	public WebSocketConnectException(String message, Throwable cause) {
		super(message, cause);
	}

}

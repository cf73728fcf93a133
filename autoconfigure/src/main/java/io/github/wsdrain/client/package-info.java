/**
 * Pull-style WebSocket client that returns every message received before the close, then
 * the close.
 * <p>
 * Plain connections: {@code BufferedWebSocketClient}, {@code TransportConnection} with
 * its {@code ReceiveBuffer} and {@code MessageAssembler}. <b>Reliable</b> connections (the
 * client's word for {@code wsdrain.v1}; the server's is <i>resumable</i>):
 * {@code ReliableConnection} with its {@code SessionState} state machine, a
 * {@code SessionLink} per transport connection and the {@code Reconnector}, all on the
 * protocol core of {@code io.github.wsdrain.protocol}. The client owns its threads.
 */
package io.github.wsdrain.client;

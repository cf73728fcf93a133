package io.github.wsdrain.client;

/**
 * Totals over the connections a {@link BufferedWebSocketClient} opened, read by
 * {@link BufferedWebSocketClient#getConnectionTotals()}. The gauges ({@code connections},
 * {@code bufferedMessages}, {@code bufferedBytes}) describe the connections now; the
 * counts ({@code droppedMessages}, {@code reconnects}, {@code duplicates}) include
 * connections that have ended, so they never go down.
 *
 * @param connections the connections not yet closed
 * @param bufferedMessages the messages waiting to be received, summed over connections
 * @param bufferedBytes the size of the messages waiting to be received, summed over
 * connections
 * @param droppedMessages the received messages discarded, see
 * {@link BufferedWebSocketConnection#getDroppedMessages()}
 * @param reconnects the reconnections of {@link ReliableWebSocketConnection reliable
 * connections}
 * @param duplicates the messages reliable connections dropped as duplicates
 */
public record ConnectionTotals(int connections, long bufferedMessages, long bufferedBytes, long droppedMessages,
		long reconnects, long duplicates) {

}

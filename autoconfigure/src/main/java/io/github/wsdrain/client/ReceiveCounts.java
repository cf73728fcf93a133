package io.github.wsdrain.client;

/**
 * What a connection's receive side has buffered and counted at one moment: one
 * {@link ReceiveBuffer}, or all the {@link ReadableTransports transport connections} of a
 * reliable connection. Each count is as described on {@link BufferedWebSocketConnection}.
 *
 * @param bufferedMessages the messages buffered now
 * @param bufferedBytes their bytes
 * @param peakBufferedMessages the most messages buffered at once
 * @param peakBufferedBytes the most bytes buffered at once
 * @param receivedMessages the messages received, dropped ones included
 * @param droppedMessages the messages dropped
 */
record ReceiveCounts(int bufferedMessages, long bufferedBytes, int peakBufferedMessages, long peakBufferedBytes,
		long receivedMessages, long droppedMessages) {
}

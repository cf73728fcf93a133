package io.github.wsdrain.client;

import java.time.Duration;

import org.springframework.util.backoff.BackOff;

/**
 * A {@link BufferedWebSocketClient}'s settings as they were when a connection was
 * opened: a connection keeps them for its whole life, reconnects included.
 *
 * @param connectTimeout the longest wait for an opening handshake (and a session frame)
 * @param receiveTimeout how long {@code receive()} waits
 * @param closeTimeout how long {@code close()} waits for the peer
 * @param maxBufferedMessages the receive buffer's bound in messages
 * @param maxBufferedBytes the receive buffer's bound in bytes, also the largest message
 * @param overflowPolicy what a full receive buffer does (plain connections)
 * @param replayBufferSize the most bytes sent and not yet acknowledged (reliable connections)
 * @param sendTimeLimit how long a send waits for room in the replay buffer
 * @param reconnectBackOff how reconnect attempts are spaced
 * @param heartbeatTimeout the longest silence from the server before a reliable connection's transport is given up
 */
record ConnectionSettings(Duration connectTimeout, Duration receiveTimeout, Duration closeTimeout,
		int maxBufferedMessages, long maxBufferedBytes, ReceiveOverflowPolicy overflowPolicy, long replayBufferSize,
		Duration sendTimeLimit, BackOff reconnectBackOff, Duration heartbeatTimeout) {
}

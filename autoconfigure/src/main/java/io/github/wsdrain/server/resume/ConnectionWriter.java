package io.github.wsdrain.server.resume;

import java.io.IOException;

import io.github.wsdrain.protocol.FrameSink;
import io.github.wsdrain.session.DrainingWebSocketSession;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.web.socket.WebSocketMessage;

/**
 * Writes a resumable session's frames to its connections and remembers when it last
 * wrote: the heartbeat fills the silences. A failed write loses nothing: the frame stays
 * in the replay buffer, and the container reports the lost connection.
 */
final class ConnectionWriter {

	private static final Log logger = LogFactory.getLog(ConnectionWriter.class);

	private final String sessionId;

	private volatile long lastWriteNanos = System.nanoTime();

	ConnectionWriter(String sessionId) {
		this.sessionId = sessionId;
	}

	/**
	 * Return a sink writing to one connection.
	 * @param to the connection
	 * @return the sink, for the outbound stream
	 */
	FrameSink sinkOf(DrainingWebSocketSession to) {
		return (frame) -> write(to, frame);
	}

	/**
	 * Write a frame to a connection.
	 * @return {@code false} if the write failed
	 */
	boolean write(DrainingWebSocketSession to, WebSocketMessage<?> frame) {
		this.lastWriteNanos = System.nanoTime();
		try {
			to.sendMessage(frame);
			return true;
		}
		catch (IOException | RuntimeException ex) {
			if (logger.isTraceEnabled()) {
				logger.trace("WebSocket session " + this.sessionId + ": write to connection " + to.getId() + " failed",
						ex);
			}
			return false;
		}
	}

	/**
	 * Return whether nothing was written since a moment.
	 * @param nanos the moment, in {@link System#nanoTime()} terms
	 */
	boolean isSilentSince(long nanos) {
		return this.lastWriteNanos - nanos < 0;
	}

}

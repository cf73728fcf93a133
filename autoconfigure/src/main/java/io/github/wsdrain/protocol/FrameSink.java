package io.github.wsdrain.protocol;

import org.springframework.web.socket.WebSocketMessage;

/**
 * Where an {@link OutboundStream} writes its frames: one connection of a session.
 */
@FunctionalInterface
public interface FrameSink {

	/**
	 * Write one frame; a failure is the connection's to report, the frame stays in the
	 * replay buffer.
	 * @param frame the frame
	 * @return whether the frame was written; {@code false} stops a replay, since a frame
	 * written after one that was not would be a gap
	 */
	boolean write(WebSocketMessage<?> frame);

}

package io.github.wsdrain.server.resume;

import io.github.wsdrain.protocol.AckScheduler;
import io.github.wsdrain.protocol.Frame;
import io.github.wsdrain.protocol.FrameCodec;
import io.github.wsdrain.protocol.InboundSequence;
import io.github.wsdrain.protocol.ProtocolViolationException;

import org.springframework.web.socket.WebSocketMessage;

/**
 * What a {@code wsdrain.v1} client sends, on whichever connection: its acknowledgements
 * release the replay buffer, its data frames reach the app once and in order, and each
 * is acknowledged in turn, a replayed one again (PROTOCOL.md §3).
 */
final class InboundFrames {

	/** More acknowledgements than this in a second is a flood: a client sends 10 to 500 (PROTOCOL.md §3). */
	static final int MAX_ACKS_PER_SECOND = 1000;

	private final InboundSequence in = new InboundSequence();

	private final AckFloodLimit ackFlood = new AckFloodLimit(MAX_ACKS_PER_SECOND);

	private final AckScheduler acks;

	private final AckReceiver ackReceiver;

	private final AppDelivery app;

	InboundFrames(AckScheduler acks, AckReceiver ackReceiver, AppDelivery app) {
		this.acks = acks;
		this.ackReceiver = ackReceiver;
		this.app = app;
	}

	/**
	 * Parse one frame from the client and act on it.
	 * @throws ProtocolViolationException if the frame breaks the protocol: the caller
	 * closes the connection with its status
	 * @throws Exception if the app's handler failed
	 */
	void receive(WebSocketMessage<?> message) throws Exception {
		Frame frame = FrameCodec.parse(message);
		if (frame instanceof Frame.Ack ack) {
			this.ackFlood.count();
			this.ackReceiver.acknowledged(ack.seq());
		}
		else if (frame instanceof Frame.Data data) {
			this.in.deliver(data, (next) -> {
				this.app.deliver(next.payload());
				return true;
			});
			// A replay of a message already delivered is acknowledged again, delivered never.
			this.acks.taken(this.in.last(), data.payloadLength());
		}
	}

	/** Takes the client's cumulative acknowledgement. */
	@FunctionalInterface
	interface AckReceiver {

		void acknowledged(long seq) throws ProtocolViolationException;

	}

	/** Hands a message from the client to the app's handler. */
	@FunctionalInterface
	interface AppDelivery {

		void deliver(WebSocketMessage<?> message) throws Exception;

	}

}

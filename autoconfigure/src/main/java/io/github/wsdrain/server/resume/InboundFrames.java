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

	private final InboundSequence in;

	private final AckFloodLimit ackFlood = new AckFloodLimit(MAX_ACKS_PER_SECOND);

	private final AckScheduler acks;

	private final Delivered delivered;

	private final AckReceiver ackReceiver;

	private final AppDelivery app;

	/**
	 * Receive a session's frames.
	 * @param delivered the last client sequence delivered before: 0 for a new session
	 * @param acks acknowledges what was delivered before
	 * @param deliveries told of each delivery, and of each replay of a message delivered
	 * before, to acknowledge it
	 * @param ackReceiver takes the client's acknowledgements
	 * @param app the app's handler
	 */
	InboundFrames(long delivered, AckScheduler acks, Delivered deliveries, AckReceiver ackReceiver,
			AppDelivery app) {
		this.in = new InboundSequence(delivered);
		this.acks = acks;
		this.delivered = deliveries;
		if (delivered > 0) {
			// Told to the client in the session frame: it replays only what follows.
			acks.taken(delivered, 0);
		}
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
				this.app.deliver(next.seq(), next.payload());
				return true;
			});
			// A replay of a message already delivered is acknowledged again, delivered never.
			this.delivered.delivered(this.in.last(), data.payloadLength());
		}
	}

	/**
	 * Deliver nothing more: the session goes on elsewhere.
	 * @return the last client sequence delivered here
	 */
	long seal() {
		return this.in.seal();
	}

	/** Told of what the app has taken: acknowledges it, at once or once recorded. */
	@FunctionalInterface
	interface Delivered {

		void delivered(long seq, long bytes);

	}

	/** Takes the client's cumulative acknowledgement. */
	@FunctionalInterface
	interface AckReceiver {

		void acknowledged(long seq) throws ProtocolViolationException;

	}

	/** Hands a message from the client to the app's handler. */
	@FunctionalInterface
	interface AppDelivery {

		void deliver(long seq, WebSocketMessage<?> message) throws Exception;

	}

}

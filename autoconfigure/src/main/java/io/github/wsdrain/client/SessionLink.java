package io.github.wsdrain.client;

import java.util.concurrent.CompletableFuture;

import io.github.wsdrain.protocol.Frame;
import io.github.wsdrain.protocol.FrameCodec;
import io.github.wsdrain.protocol.ProtocolViolationException;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketMessage;

/**
 * What a {@link ReliableConnection} sees of one transport connection, on the container's
 * reading thread: the session frame, then the server's acknowledgements and data, each
 * frame parsed once.
 */
final class SessionLink implements TransportConnection.Listener {

	private final ReliableConnection connection;

	/** Whether this connection was opened to resume: a new session then is not recovered. */
	private final boolean resuming;

	/** Completed by the session frame, or failed by the connection's end before it. */
	final CompletableFuture<Frame.Session> session = new CompletableFuture<>();

	/** Whether this connection carries the session: its data goes to the consumer. */
	private boolean accepted;

	/**
	 * Set when the connection ends, before a resume can start: what its reading thread
	 * still delivers is late, and dropped under the inbound sequence's lock, so that it
	 * cannot land behind what the next connection delivers.
	 */
	private volatile boolean over;

	SessionLink(ReliableConnection connection, boolean resuming) {
		this.connection = connection;
		this.resuming = resuming;
	}

	boolean isResuming() {
		return this.resuming;
	}

	@Override
	public void received(TransportConnection from, WebSocketMessage<?> message, long bytes) {
		this.connection.heard();
		try {
			if (!this.session.isDone()) {
				Frame.Session frame = FrameCodec.parseSession(message);
				this.accepted = this.connection.sessionFrame(from, frame, this.resuming);
				this.session.complete(frame);
				return;
			}
			if (!this.accepted || this.over) {
				return;
			}
			Frame frame = FrameCodec.parse(message);
			if (frame instanceof Frame.Ack ack) {
				this.connection.out.acknowledge(ack.seq());
			}
			else if (frame instanceof Frame.Data data) {
				// The header is ASCII: its length in bytes is its offset.
				this.connection.in.deliver(data,
						(next) -> !this.over && from.offer(next.payload(), bytes - next.payloadOffset(), next.seq()));
			}
		}
		catch (ProtocolViolationException ex) {
			CloseStatus status = ex.getStatus();
			this.session.completeExceptionally(
					new ConnectionClosedException(status.getCode(), String.valueOf(status.getReason()), false));
			this.connection.violation(from, status);
		}
	}

	@Override
	public void ended(TransportConnection transport, CloseStatus status) {
		this.over = true;
		this.session.completeExceptionally(new ConnectionClosedException(status.getCode(),
				(status.getReason() != null) ? status.getReason() : "",
				status.getCode() != CloseStatus.NO_CLOSE_FRAME.getCode()));
		this.connection.connectionEnded(transport, status);
	}

}

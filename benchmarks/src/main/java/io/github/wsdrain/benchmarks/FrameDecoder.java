package io.github.wsdrain.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The frames a server sends on one connection, decoded from whatever bytes each read
 * brings: data frames are counted and skipped (no copy, no allocation), control frames
 * (at most 125 bytes, RFC 6455 §5.5) are collected whole and handed on. A frame may
 * straddle any number of reads, its header included.
 */
final class FrameDecoder {

	static final int OPCODE_CLOSE = 0x8;

	static final int OPCODE_PING = 0x9;

	static final int OPCODE_PONG = 0xA;

	/** What to do with a control frame. */
	interface ControlFrames {

		void frame(int opcode, byte[] payload) throws IOException;

	}

	/** The longest header of a server frame: 2 bytes, then 8 of extended length, no mask. */
	private final byte[] header = new byte[10];

	private int headerFill;

	/** Payload of the current data frame not read yet. */
	private long dataLeft;

	private boolean inData;

	private boolean dataFin;

	private byte[] control;

	private int controlFill;

	private int controlOpcode;

	private long messages;

	private long bytes;

	/** Decode every byte {@code buffer} has left. */
	void decode(ByteBuffer buffer, ControlFrames controlFrames) throws IOException {
		while (buffer.hasRemaining()) {
			if (this.inData) {
				int skipped = (int) Math.min(this.dataLeft, buffer.remaining());
				buffer.position(buffer.position() + skipped);
				this.dataLeft -= skipped;
				this.bytes += skipped;
				if (this.dataLeft == 0) {
					dataFrameEnded();
				}
			}
			else if (this.control != null) {
				int copied = Math.min(this.control.length - this.controlFill, buffer.remaining());
				buffer.get(this.control, this.controlFill, copied);
				this.controlFill += copied;
				if (this.controlFill == this.control.length) {
					controlFrameEnded(controlFrames);
				}
			}
			else {
				this.header[this.headerFill++] = buffer.get();
				if (this.headerFill >= 2 && this.headerFill == headerLength()) {
					headerEnded(controlFrames);
				}
			}
		}
	}

	/** Data frames with the FIN bit: whole messages. */
	long messages() {
		return this.messages;
	}

	/** Payload bytes of the data frames. */
	long bytes() {
		return this.bytes;
	}

	private int headerLength() {
		int length = this.header[1] & 0x7F;
		return (length == 126) ? 4 : (length == 127) ? 10 : 2;
	}

	private void headerEnded(ControlFrames controlFrames) throws IOException {
		this.headerFill = 0;
		if ((this.header[1] & 0x80) != 0) {
			throw new IOException("A server frame is masked");
		}
		int opcode = this.header[0] & 0x0F;
		long length = switch (this.header[1] & 0x7F) {
			case 126 -> ((this.header[2] & 0xFF) << 8) | (this.header[3] & 0xFF);
			case 127 -> ByteBuffer.wrap(this.header, 2, 8).getLong();
			default -> this.header[1] & 0x7F;
		};
		if (opcode < OPCODE_CLOSE) {
			this.inData = true;
			this.dataFin = (this.header[0] & 0x80) != 0;
			this.dataLeft = length;
			if (length == 0) {
				dataFrameEnded();
			}
		}
		else {
			if (length > 125) {
				throw new IOException("A control frame of " + length + " bytes");
			}
			this.controlOpcode = opcode;
			this.control = new byte[(int) length];
			this.controlFill = 0;
			if (length == 0) {
				controlFrameEnded(controlFrames);
			}
		}
	}

	private void dataFrameEnded() {
		this.inData = false;
		if (this.dataFin) {
			this.messages++;
		}
	}

	private void controlFrameEnded(ControlFrames controlFrames) throws IOException {
		byte[] payload = this.control;
		this.control = null;
		controlFrames.frame(this.controlOpcode, payload);
	}

	/** A masked client frame; the zero mask leaves the payload as it is. */
	static byte[] clientFrame(int opcode, byte[] payload) {
		byte[] frame = new byte[6 + payload.length];
		frame[0] = (byte) (0x80 | opcode);
		frame[1] = (byte) (0x80 | payload.length);
		System.arraycopy(payload, 0, frame, 6, payload.length);
		return frame;
	}

}

package io.github.wsdrain.server.barrier;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

import io.github.wsdrain.testsupport.RawFrame;
import io.github.wsdrain.testsupport.RawWebSocketClient;

import static org.awaitility.Awaitility.await;

/**
 * A raw RFC 6455 client with the bug of python {@code websockets} 14.0: it reads the
 * socket in chunks, parses every complete frame of a chunk, and when a chunk holds the
 * close frame it discards the data frames parsed from that same chunk (the close shuts
 * its receive queue before they are queued). Like every client, it answers a Ping with a
 * Pong as soon as it has parsed the frames before the Ping, unless told not to.
 * <p>
 * On the loopback interface such a client reads so fast that the close frame mostly
 * arrives alone. So it can stop reading at a given byte until the server reaches a given
 * point (its close frame written, say), as a client busy with other work does: then its
 * next read holds everything the server wrote meanwhile. The byte must come late enough
 * that the rest fits the socket buffers, or the server waits for the client to read.
 */
final class SameReadCloseClient implements AutoCloseable {

	private static final int READ_SIZE = 64 * 1024;

	private final RawWebSocketClient client;

	private final boolean answerPings;

	private SameReadCloseClient(RawWebSocketClient client, boolean answerPings) {
		this.client = client;
		this.answerPings = answerPings;
	}

	/**
	 * Connect and complete the opening handshake.
	 * @param port the server's port on the loopback interface
	 * @param path the request path and query
	 * @param answerPings whether to answer Pings, as RFC 6455 requires
	 * @return the connected client
	 * @throws IOException if the connection or the handshake fails
	 */
	static SameReadCloseClient connect(int port, String path, boolean answerPings) throws IOException {
		return new SameReadCloseClient(RawWebSocketClient.connect(port, path, 0), answerPings);
	}

	/**
	 * Read until the server's close frame (or the end of the connection), counting the
	 * data frames delivered and those discarded for arriving with the close frame.
	 * @return what was received
	 * @throws IOException if reading fails
	 */
	Received readUntilClose() throws IOException {
		return readUntilClose(Long.MAX_VALUE, () -> true);
	}

	/**
	 * Read as {@link #readUntilClose()} does, but stop reading after the first
	 * {@code pauseAt} bytes (after the handshake) until {@code resumeWhen} holds, so
	 * that the next read takes everything the server wrote meanwhile.
	 * @param pauseAt the bytes to read before the pause
	 * @param resumeWhen when to read on; awaited for at most 10 s
	 * @return what was received
	 * @throws IOException if reading fails
	 */
	Received readUntilClose(long pauseAt, BooleanSupplier resumeWhen) throws IOException {
		InputStream in = this.client.in();
		byte[] chunk = new byte[READ_SIZE];
		ByteArrayOutputStream pending = new ByteArrayOutputStream();
		long readBytes = 0;
		long delivered = 0;
		long discarded = 0;
		long pings = 0;
		int read;
		while ((read = readNext(in, chunk, readBytes, pauseAt, resumeWhen)) > 0) {
			readBytes += read;
			pending.write(chunk, 0, read);
			byte[] bytes = pending.toByteArray();
			int offset = 0;
			long dataInChunk = 0;
			Integer closeCode = null;
			int frameEnd;
			while (closeCode == null && (frameEnd = frameEnd(bytes, offset)) > 0) {
				int opcode = bytes[offset] & 0x0F;
				int payloadStart = frameEnd - payloadLength(bytes, offset);
				if (opcode == RawFrame.CLOSE) {
					closeCode = (frameEnd - payloadStart >= 2)
							? ((bytes[payloadStart] & 0xFF) << 8) | (bytes[payloadStart + 1] & 0xFF) : 1005;
				}
				else if (opcode == RawFrame.PING) {
					pings++;
					if (this.answerPings) {
						this.client.sendFrame(RawFrame.PONG, Arrays.copyOfRange(bytes, payloadStart, frameEnd));
					}
				}
				else if (opcode != RawFrame.PONG) {
					dataInChunk++;
				}
				offset = frameEnd;
			}
			pending.reset();
			pending.write(bytes, offset, bytes.length - offset);
			if (closeCode != null) {
				// The bug: the close frame ends the receive queue before this read's data frames reach it.
				discarded += dataInChunk;
				this.client.sendFrame(RawFrame.CLOSE, new byte[] { (byte) (closeCode >> 8), (byte) (closeCode & 0xFF) });
				return new Received(delivered, discarded, pings, closeCode);
			}
			delivered += dataInChunk;
		}
		return new Received(delivered, discarded, pings, 1006);
	}

	/** Read what has arrived, never past {@code pauseAt} before {@code resumeWhen} holds. */
	private static int readNext(InputStream in, byte[] chunk, long readBytes, long pauseAt,
			BooleanSupplier resumeWhen) throws IOException {
		if (readBytes < pauseAt) {
			return in.read(chunk, 0, (int) Math.min(chunk.length, pauseAt - readBytes));
		}
		if (readBytes == pauseAt) {
			await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1)).until(resumeWhen::getAsBoolean);
		}
		return in.read(chunk);
	}

	/** Return the end offset of the complete frame at {@code offset}, or -1 if it is not complete yet. */
	private static int frameEnd(byte[] bytes, int offset) {
		if (bytes.length - offset < 2) {
			return -1;
		}
		int headerLength = headerLength(bytes, offset);
		if (bytes.length - offset < headerLength) {
			return -1;
		}
		long end = (long) offset + headerLength + payloadLength(bytes, offset);
		return (end <= bytes.length) ? (int) end : -1;
	}

	private static int headerLength(byte[] bytes, int offset) {
		int length = bytes[offset + 1] & 0x7F;
		return (length == 126) ? 4 : ((length == 127) ? 10 : 2);
	}

	private static int payloadLength(byte[] bytes, int offset) {
		int length = bytes[offset + 1] & 0x7F;
		if (length == 126) {
			return ((bytes[offset + 2] & 0xFF) << 8) | (bytes[offset + 3] & 0xFF);
		}
		if (length == 127) {
			long value = 0;
			for (int i = 0; i < 8; i++) {
				value = (value << 8) | (bytes[offset + 2 + i] & 0xFF);
			}
			return Math.toIntExact(value);
		}
		return length;
	}

	@Override
	public void close() throws IOException {
		this.client.close();
	}

	/**
	 * What the client received on one connection.
	 *
	 * @param delivered data frames handed to the application
	 * @param discarded data frames parsed from the read that held the close frame, and lost
	 * @param pings Pings received
	 * @param closeCode the code of the server's close frame, 1006 if the connection ended
	 * without one
	 */
	record Received(long delivered, long discarded, long pings, int closeCode) {

	}

}

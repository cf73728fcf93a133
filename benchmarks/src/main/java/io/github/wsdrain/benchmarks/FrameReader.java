package io.github.wsdrain.benchmarks;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A WebSocket client on a plain socket that reads frames and counts them, nothing more:
 * one thread, one 256 KB buffered read at a time, no per-message allocation. The client
 * of the throughput and latency cells, so that with small messages the server, not the
 * client, sets the pace. Answers Pings and the close frame as RFC 6455 requires.
 */
final class FrameReader implements AutoCloseable {

	private final Socket socket;

	private final DataInputStream in;

	private final OutputStream out;

	private final AtomicLong messages = new AtomicLong();

	private final AtomicLong bytes = new AtomicLong();

	private final CompletableFuture<ReceivingClient.Close> closed = new CompletableFuture<>();

	private volatile long target = Long.MAX_VALUE;

	private volatile CompletableFuture<Long> targetReached = new CompletableFuture<>();

	private FrameReader(Socket socket) throws IOException {
		this.socket = socket;
		this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 256 * 1024));
		this.out = socket.getOutputStream();
	}

	/** Open the connection, complete the handshake and start the reading thread. */
	static FrameReader connect(URI uri) throws IOException {
		Socket socket = new Socket();
		socket.setTcpNoDelay(true);
		socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
		FrameReader reader = new FrameReader(socket);
		reader.handshake(uri);
		Thread thread = new Thread(reader::read, "bench-frame-reader");
		thread.setDaemon(true);
		thread.start();
		return reader;
	}

	/**
	 * Return a future completed with {@link System#nanoTime()} at the receipt of the
	 * message that brings the total received on this connection to {@code total}.
	 */
	CompletableFuture<Long> whenReceived(long total) {
		CompletableFuture<Long> future = new CompletableFuture<>();
		this.targetReached = future;
		this.target = total;
		if (this.messages.get() >= total) {
			future.complete(System.nanoTime());
		}
		return future;
	}

	long messages() {
		return this.messages.get();
	}

	long bytes() {
		return this.bytes.get();
	}

	CompletableFuture<ReceivingClient.Close> closed() {
		return this.closed;
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

	private void handshake(URI uri) throws IOException {
		String request = "GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
				+ "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
				+ "Sec-WebSocket-Version: 13\r\n\r\n";
		this.out.write(request.getBytes(StandardCharsets.US_ASCII));
		this.out.flush();
		StringBuilder response = new StringBuilder();
		while (!response.toString().endsWith("\r\n\r\n")) {
			int b = this.in.read();
			if (b < 0) {
				throw new EOFException("Connection closed during the handshake: " + response);
			}
			response.append((char) b);
		}
		if (!response.toString().startsWith("HTTP/1.1 101")) {
			throw new IOException("Handshake refused: " + response.toString().lines().findFirst().orElse(""));
		}
	}

	private void read() {
		try {
			while (true) {
				int first = this.in.read();
				if (first < 0) {
					break;
				}
				boolean fin = (first & 0x80) != 0;
				int opcode = first & 0x0F;
				int second = this.in.readUnsignedByte();
				if ((second & 0x80) != 0) {
					throw new IOException("A server frame is masked");
				}
				long length = second & 0x7F;
				if (length == 126) {
					length = this.in.readUnsignedShort();
				}
				else if (length == 127) {
					length = this.in.readLong();
				}
				if (opcode < FrameDecoder.OPCODE_CLOSE) {
					this.in.skipNBytes(length);
					this.bytes.addAndGet(length);
					if (fin) {
						received();
					}
				}
				else {
					byte[] payload = new byte[(int) length];
					this.in.readFully(payload);
					control(opcode, payload);
				}
			}
			if (!this.closed.isDone()) {
				throw new EOFException("Connection ended without a close frame");
			}
		}
		catch (IOException ex) {
			this.closed.completeExceptionally(ex);
			this.targetReached.completeExceptionally(ex);
		}
		finally {
			try {
				this.socket.close();
			}
			catch (IOException ex) {
				// nothing left to read
			}
		}
	}

	private void control(int opcode, byte[] payload) throws IOException {
		if (opcode == FrameDecoder.OPCODE_CLOSE) {
			long now = System.nanoTime();
			int code = (payload.length >= 2) ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
			String reason = (payload.length > 2) ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
					: "";
			// The reply echoes the code; the server then closes TCP first (RFC 6455 §7.1.1).
			send(FrameDecoder.OPCODE_CLOSE, (payload.length >= 2) ? new byte[] { payload[0], payload[1] } : new byte[0]);
			this.closed.complete(new ReceivingClient.Close(code, reason, now));
		}
		else if (opcode == FrameDecoder.OPCODE_PING) {
			send(FrameDecoder.OPCODE_PONG, payload);
		}
	}

	private synchronized void send(int opcode, byte[] payload) throws IOException {
		this.out.write(FrameDecoder.clientFrame(opcode, payload));
		this.out.flush();
	}

	private void received() {
		long count = this.messages.incrementAndGet();
		if (count == this.target) {
			this.targetReached.complete(System.nanoTime());
		}
	}

}

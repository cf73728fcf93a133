package io.github.wsdrain.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * One thread and one {@link Selector} for a share of the scale clients' WebSocket
 * connections: opens them (a few handshakes at a time, as many as the server's accept
 * backlog takes), then reads every frame, counts the data frames, answers each Ping with
 * a Pong and the close frame with a close reply, and records the close code and the
 * {@link System#nanoTime()} at which the close frame was read. The run ends once the
 * server has closed every connection (after the close reply) or a connection was cut.
 * Its counts are read after {@link Thread#join()}.
 */
final class ClientLoop implements Runnable {

	private final URI uri;

	private final int count;

	private final int handshakesInFlight;

	private final CompletableFuture<Void> connected = new CompletableFuture<>();

	/** Counted down for every connection that read its close frame or was cut before. */
	private final CountDownLatch closed;

	/** One buffer for every read of this thread: each read is decoded before the next. */
	private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(256 * 1024);

	private final Map<Integer, Integer> closeCodes = new TreeMap<>();

	private int opened;

	private int handshaking;

	private int open;

	/** Connections whose TCP connection is over. */
	private int ended;

	private long messages;

	private long lastCloseNanos;

	/**
	 * @param uri where to connect
	 * @param count connections of this loop
	 * @param handshakesInFlight connections of this loop opened but not upgraded yet, at most
	 * @param closed counted down once for every connection, at its close frame or at its end
	 */
	ClientLoop(URI uri, int count, int handshakesInFlight, CountDownLatch closed) {
		this.uri = uri;
		this.count = count;
		this.handshakesInFlight = handshakesInFlight;
		this.closed = closed;
	}

	/** Completed once every connection of this loop is upgraded; failed if one is not. */
	CompletableFuture<Void> connected() {
		return this.connected;
	}

	long messages() {
		return this.messages;
	}

	long lastCloseNanos() {
		return this.lastCloseNanos;
	}

	Map<Integer, Integer> closeCodes() {
		return this.closeCodes;
	}

	@Override
	public void run() {
		try (Selector selector = Selector.open()) {
			openConnections(selector);
			while (this.ended < this.count) {
				selector.select();
				for (SelectionKey key : selector.selectedKeys()) {
					((Connection) key.attachment()).ready(key);
				}
				selector.selectedKeys().clear();
				openConnections(selector);
			}
		}
		catch (IOException | RuntimeException ex) {
			this.connected.completeExceptionally(ex);
			System.out.println("ERROR client loop: " + ex);
		}
	}

	private void openConnections(Selector selector) throws IOException {
		while (this.opened < this.count && this.handshaking < this.handshakesInFlight) {
			SocketChannel channel = SocketChannel.open();
			channel.configureBlocking(false);
			channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
			channel.connect(new InetSocketAddress(this.uri.getHost(), this.uri.getPort()));
			channel.register(selector, SelectionKey.OP_CONNECT, new Connection(channel));
			this.opened++;
			this.handshaking++;
		}
	}

	private void upgraded() {
		this.handshaking--;
		this.open++;
		if (this.open == this.count) {
			this.connected.complete(null);
		}
	}

	private void closed(int code) {
		this.closeCodes.merge(code, 1, Integer::sum);
		this.closed.countDown();
	}

	/** One connection: its handshake, its frames and what it still has to write. */
	private final class Connection implements FrameDecoder.ControlFrames {

		private final SocketChannel channel;

		private final FrameDecoder frames = new FrameDecoder();

		/** The handshake response read so far; null once upgraded. */
		private StringBuilder response = new StringBuilder();

		/** Frames the socket did not take at once, in order. */
		private final Queue<ByteBuffer> unwritten = new ArrayDeque<>();

		private boolean closeFrameRead;

		private boolean ended;

		private SelectionKey key;

		Connection(SocketChannel channel) {
			this.channel = channel;
		}

		void ready(SelectionKey key) throws IOException {
			this.key = key;
			try {
				if (key.isConnectable()) {
					this.channel.finishConnect();
					key.interestOps(SelectionKey.OP_READ);
					write(ByteBuffer.wrap(handshakeRequest()));
					return;
				}
				if (key.isWritable()) {
					writeUnwritten();
				}
				if (key.isReadable()) {
					read();
				}
			}
			catch (IOException ex) {
				if (this.response != null) {
					throw new IOException("A connection could not upgrade", ex);
				}
				end(ex.toString());
			}
		}

		private void read() throws IOException {
			ByteBuffer buffer = ClientLoop.this.readBuffer.clear();
			if (this.channel.read(buffer) < 0) {
				if (this.response != null) {
					throw new IOException("Connection closed during the handshake: " + this.response);
				}
				end("the server closed the connection");
				return;
			}
			buffer.flip();
			if (this.response != null && !handshakeRead(buffer)) {
				return;
			}
			long before = this.frames.messages();
			this.frames.decode(buffer, this);
			ClientLoop.this.messages += this.frames.messages() - before;
		}

		/** Return true once the response is read: the rest of {@code buffer} is frames. */
		private boolean handshakeRead(ByteBuffer buffer) throws IOException {
			while (buffer.hasRemaining()) {
				this.response.append((char) buffer.get());
				int length = this.response.length();
				if (length >= 4 && this.response.lastIndexOf("\r\n\r\n") == length - 4) {
					if (!this.response.toString().startsWith("HTTP/1.1 101")) {
						throw new IOException(
								"Handshake refused: " + this.response.toString().lines().findFirst().orElse(""));
					}
					this.response = null;
					upgraded();
					return true;
				}
			}
			return false;
		}

		@Override
		public void frame(int opcode, byte[] payload) throws IOException {
			if (opcode == FrameDecoder.OPCODE_PING) {
				write(ByteBuffer.wrap(FrameDecoder.clientFrame(FrameDecoder.OPCODE_PONG, payload)));
			}
			else if (opcode == FrameDecoder.OPCODE_CLOSE && !this.closeFrameRead) {
				this.closeFrameRead = true;
				ClientLoop.this.lastCloseNanos = Math.max(ClientLoop.this.lastCloseNanos, System.nanoTime());
				int code = (payload.length >= 2) ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
				// The reply echoes the code; the server then closes TCP first (RFC 6455 §7.1.1).
				write(ByteBuffer.wrap(FrameDecoder.clientFrame(FrameDecoder.OPCODE_CLOSE,
						(payload.length >= 2) ? new byte[] { payload[0], payload[1] } : new byte[0])));
				closed(code);
			}
		}

		private void write(ByteBuffer frame) throws IOException {
			if (this.unwritten.isEmpty()) {
				this.channel.write(frame);
			}
			if (frame.hasRemaining()) {
				this.unwritten.add(frame);
				this.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
			}
		}

		private void writeUnwritten() throws IOException {
			while (!this.unwritten.isEmpty()) {
				this.channel.write(this.unwritten.peek());
				if (this.unwritten.peek().hasRemaining()) {
					return;
				}
				this.unwritten.remove();
			}
			this.key.interestOps(SelectionKey.OP_READ);
		}

		/** The connection is over: closed by the server after the close frame, or cut. */
		private void end(String how) throws IOException {
			if (this.ended) {
				return;
			}
			this.ended = true;
			this.key.cancel();
			this.channel.close();
			ClientLoop.this.ended++;
			if (!this.closeFrameRead) {
				// -1: the connection ended without a close frame, which fails the run; say why.
				System.err.println("scale clients: a connection ended without a close frame after "
						+ this.frames.messages() + " messages: " + how);
				closed(-1);
			}
		}

		private byte[] handshakeRequest() {
			return ("GET " + ClientLoop.this.uri.getRawPath() + " HTTP/1.1\r\nHost: " + ClientLoop.this.uri.getHost()
					+ ":" + ClientLoop.this.uri.getPort() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
					+ "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII);
		}

	}

}

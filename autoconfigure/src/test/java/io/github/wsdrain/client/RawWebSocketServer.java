package io.github.wsdrain.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.wsdrain.testsupport.RawFrame;

/**
 * A WebSocket server speaking just enough RFC 6455 for tests, on a plain
 * {@link ServerSocket}, so that a test decides exactly which bytes are written and when
 * the TCP connection ends (close frame, end of stream, or reset). Server frames are not
 * masked; client frames are unmasked on reading.
 */
public final class RawWebSocketServer implements AutoCloseable {

	private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

	private final ServerSocket serverSocket;

	private final ExecutorService executor;

	private final List<Throwable> failures = new CopyOnWriteArrayList<>();

	private final AtomicInteger connections = new AtomicInteger();

	private volatile Script script;

	private RawWebSocketServer(Script script) throws IOException {
		this.script = script;
		this.serverSocket = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
		AtomicInteger threads = new AtomicInteger();
		this.executor = Executors.newCachedThreadPool((runnable) -> {
			Thread thread = new Thread(runnable, "raw-ws-server-" + threads.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
		this.executor.execute(this::acceptLoop);
	}

	/**
	 * Start a server on a free loopback port that runs the script for each connection
	 * after the opening handshake.
	 * @param script what to do on each connection
	 * @return the running server
	 * @throws IOException if the port cannot be opened
	 */
	public static RawWebSocketServer start(Script script) throws IOException {
		return new RawWebSocketServer(script);
	}

	/**
	 * Replace the script run by the next connections.
	 * @param script what to do on each connection
	 */
	public void setScript(Script script) {
		this.script = script;
	}

	public int getPort() {
		return this.serverSocket.getLocalPort();
	}

	public URI uri(String path) {
		return URI.create("ws://127.0.0.1:" + getPort() + path);
	}

	public int getConnectionCount() {
		return this.connections.get();
	}

	/**
	 * Return what the scripts threw, to be asserted empty.
	 * @return the failures so far
	 */
	public List<Throwable> getFailures() {
		return this.failures;
	}

	private void acceptLoop() {
		while (!this.serverSocket.isClosed()) {
			try {
				Socket socket = this.serverSocket.accept();
				this.connections.incrementAndGet();
				Script current = this.script;
				this.executor.execute(() -> serve(socket, current));
			}
			catch (IOException ex) {
				if (!this.serverSocket.isClosed()) {
					this.failures.add(ex);
				}
			}
		}
	}

	private void serve(Socket socket, Script script) {
		try (RawConnection connection = new RawConnection(socket)) {
			if (connection.handshake()) {
				script.run(connection);
			}
		}
		catch (Throwable ex) {
			this.failures.add(ex);
		}
	}

	@Override
	public void close() throws IOException {
		this.serverSocket.close();
		this.executor.shutdownNow();
	}

	/**
	 * What the server does on one connection.
	 */
	@FunctionalInterface
	public interface Script {

		void run(RawConnection connection) throws Exception;

	}

	/**
	 * One accepted TCP connection.
	 */
	public static final class RawConnection implements AutoCloseable {

		private final Socket socket;

		private final InputStream in;

		private final OutputStream out;

		private String path = "";

		private final Map<String, String> requestHeaders = new LinkedHashMap<>();

		private volatile int rejectStatus;

		RawConnection(Socket socket) throws IOException {
			this.socket = socket;
			this.socket.setTcpNoDelay(true);
			this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
			this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
		}

		boolean handshake() throws Exception {
			String requestLine = readLine();
			if (requestLine == null) {
				return false;
			}
			this.path = requestLine.split(" ")[1];
			for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
				int colon = line.indexOf(':');
				this.requestHeaders.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
						line.substring(colon + 1).trim());
			}
			String key = this.requestHeaders.get("sec-websocket-key");
			if (this.path.startsWith("/reject/")) {
				String status = this.path.substring("/reject/".length());
				writeAscii("HTTP/1.1 " + status + " Rejected\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
				this.out.flush();
				return false;
			}
			if (key == null) {
				writeAscii("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
				this.out.flush();
				return false;
			}
			byte[] digest = MessageDigest.getInstance("SHA-1")
				.digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
			StringBuilder response = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\n")
				.append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
				.append("Sec-WebSocket-Accept: ")
				.append(Base64.getEncoder().encodeToString(digest))
				.append("\r\n");
			String protocols = this.requestHeaders.get("sec-websocket-protocol");
			if (protocols != null) {
				response.append("Sec-WebSocket-Protocol: ").append(protocols.split(",")[0].trim()).append("\r\n");
			}
			writeAscii(response.append("\r\n").toString());
			this.out.flush();
			return true;
		}

		public String path() {
			return this.path;
		}

		public Map<String, String> requestHeaders() {
			return this.requestHeaders;
		}

		public Socket socket() {
			return this.socket;
		}

		public void sendText(String text) throws IOException {
			sendFrame(true, RawFrame.TEXT, text.getBytes(StandardCharsets.UTF_8));
		}

		public void sendBinary(byte[] payload) throws IOException {
			sendFrame(true, RawFrame.BINARY, payload);
		}

		public void sendClose(int code, String reason) throws IOException {
			byte[] reasonBytes = reason.getBytes(StandardCharsets.UTF_8);
			ByteBuffer payload = ByteBuffer.allocate(2 + reasonBytes.length);
			payload.putShort((short) code).put(reasonBytes);
			sendFrame(true, RawFrame.CLOSE, payload.array());
			flush();
		}

		/**
		 * Write one unmasked frame (buffered: call {@link #flush()}).
		 */
		public void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
			this.out.write((fin ? 0x80 : 0) | opcode);
			int length = payload.length;
			if (length < 126) {
				this.out.write(length);
			}
			else if (length < 65536) {
				this.out.write(126);
				this.out.write(length >>> 8);
				this.out.write(length & 0xFF);
			}
			else {
				this.out.write(127);
				this.out.write(ByteBuffer.allocate(8).putLong(length).array());
			}
			this.out.write(payload);
		}

		public void flush() throws IOException {
			this.out.flush();
		}

		/**
		 * Read the next frame from the client.
		 * @return the frame, or {@code null} at the end of the stream
		 */
		public RawFrame readFrame() throws IOException {
			return RawFrame.read(this.in);
		}

		/**
		 * Read frames until the client's close frame or the end of the stream.
		 * @return the data frames read, then the close frame if there was one
		 */
		public List<RawFrame> readUntilClose() throws IOException {
			List<RawFrame> frames = new ArrayList<>();
			for (RawFrame frame = readFrameOrNull(); frame != null; frame = readFrameOrNull()) {
				frames.add(frame);
				if (frame.isClose()) {
					break;
				}
			}
			return frames;
		}

		private RawFrame readFrameOrNull() throws IOException {
			try {
				return readFrame();
			}
			catch (EOFException | SocketException ex) {
				return null;
			}
		}

		/**
		 * Wait until the client ends the TCP connection, discarding what it sends.
		 */
		public void awaitEndOfStream() throws IOException {
			try {
				while (this.in.read() >= 0) {
					// discard
				}
			}
			catch (SocketException ex) {
				// reset by the client: ended too
			}
		}

		/**
		 * End the TCP connection without a close frame: flush, send FIN, wait for the
		 * client to close its side (so no unread data turns the close into a reset).
		 */
		public void endWithoutCloseFrame() throws IOException {
			flush();
			this.socket.shutdownOutput();
			awaitEndOfStream();
		}

		/**
		 * Reset the TCP connection: flush, then close with SO_LINGER 0 so that an RST is
		 * sent instead of a FIN.
		 */
		public void reset() throws IOException {
			flush();
			this.socket.setSoLinger(true, 0);
			this.socket.close();
		}

		private String readLine() throws IOException {
			ByteArrayOutputStream line = new ByteArrayOutputStream();
			for (int b = this.in.read(); b >= 0; b = this.in.read()) {
				if (b == '\n') {
					String text = line.toString(StandardCharsets.US_ASCII);
					return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
				}
				line.write(b);
			}
			return null;
		}

		private void writeAscii(String text) throws IOException {
			this.out.write(text.getBytes(StandardCharsets.US_ASCII));
		}

		@Override
		public void close() throws IOException {
			if (!this.socket.isClosed()) {
				this.socket.close();
			}
		}

	}

}

package io.github.wsdrain.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain socket, for the peers no library client plays: one that
 * stops reading (its small receive buffer fills and the server's writes block), one that
 * reads in chunks, one that goes on writing a frame the server refused. It writes the
 * opening handshake and masked frames by hand (RFC 6455); what it reads after the
 * handshake is the caller's, raw or through {@link #readCloseCode()}.
 */
public final class RawWebSocketClient implements AutoCloseable {

	private final Socket socket;

	private final String handshakeResponse;

	private RawWebSocketClient(Socket socket, String handshakeResponse) {
		this.socket = socket;
		this.handshakeResponse = handshakeResponse;
	}

	/**
	 * Connect on the loopback interface and complete the opening handshake.
	 * @param port the server's port
	 * @param pathAndQuery the request target
	 * @param receiveBufferSize the socket's receive buffer in bytes (small for a client
	 * that stops reading), or 0 for the default
	 * @param protocols the sub-protocols to offer, if any
	 * @return the connected client
	 * @throws IOException if the connection fails or the server does not answer 101
	 */
	public static RawWebSocketClient connect(int port, String pathAndQuery, int receiveBufferSize,
			String... protocols) throws IOException {
		Socket socket = new Socket();
		try {
			if (receiveBufferSize > 0) {
				socket.setReceiveBufferSize(receiveBufferSize);
			}
			socket.connect(new InetSocketAddress("localhost", port), 5000);
			socket.setSoTimeout(30_000);
			byte[] nonce = new byte[16];
			ThreadLocalRandom.current().nextBytes(nonce);
			StringBuilder request = new StringBuilder("GET ").append(pathAndQuery)
				.append(" HTTP/1.1\r\nHost: localhost:")
				.append(port)
				.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ")
				.append(Base64.getEncoder().encodeToString(nonce))
				.append("\r\nSec-WebSocket-Version: 13\r\n");
			if (protocols.length > 0) {
				request.append("Sec-WebSocket-Protocol: ").append(String.join(", ", protocols)).append("\r\n");
			}
			OutputStream out = socket.getOutputStream();
			out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
			out.flush();
			String response = readHeaders(socket.getInputStream());
			if (!response.startsWith("HTTP/1.1 101")) {
				throw new IOException("Handshake refused: " + response);
			}
			return new RawWebSocketClient(socket, response);
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	private static String readHeaders(InputStream in) throws IOException {
		ByteArrayOutputStream headers = new ByteArrayOutputStream();
		byte[] end = { '\r', '\n', '\r', '\n' };
		int matched = 0;
		while (matched < end.length) {
			int b = in.read();
			if (b < 0) {
				throw new IOException("Connection ended during the handshake: " + headers);
			}
			headers.write(b);
			matched = (b == end[matched]) ? matched + 1 : ((b == '\r') ? 1 : 0);
		}
		return headers.toString(StandardCharsets.US_ASCII);
	}

	/** The server's answer to the opening handshake, status line and headers. */
	public String handshakeResponse() {
		return this.handshakeResponse;
	}

	/** What the server sends after the handshake, frames unparsed. */
	public InputStream in() throws IOException {
		return this.socket.getInputStream();
	}

	public void sendText(String text) throws IOException {
		sendFrame(RawFrame.TEXT, text.getBytes(StandardCharsets.UTF_8));
	}

	/** Write one final frame, masked as a client must. */
	public synchronized void sendFrame(int opcode, byte[] payload) throws IOException {
		byte[] mask = new byte[4];
		ThreadLocalRandom.current().nextBytes(mask);
		ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
		frame.write(0x80 | opcode);
		if (payload.length < 126) {
			frame.write(0x80 | payload.length);
		}
		else if (payload.length < 65536) {
			frame.write(0x80 | 126);
			frame.write(payload.length >>> 8);
			frame.write(payload.length & 0xFF);
		}
		else {
			frame.write(0x80 | 127);
			frame.write(ByteBuffer.allocate(8).putLong(payload.length).array());
		}
		frame.write(mask);
		for (int i = 0; i < payload.length; i++) {
			frame.write(payload[i] ^ mask[i % 4]);
		}
		OutputStream out = this.socket.getOutputStream();
		out.write(frame.toByteArray());
		out.flush();
	}

	/**
	 * Read and skip the server's frames up to its close frame, reading what arrived before
	 * a reset too (the kernel keeps it for the reader).
	 * @return the close frame's code, 1005 if it has none
	 * @throws IOException if the connection ends before a close frame
	 */
	public int readCloseCode() throws IOException {
		for (RawFrame frame = RawFrame.read(in()); frame != null; frame = RawFrame.read(in())) {
			if (frame.isClose()) {
				return frame.closeCode();
			}
		}
		throw new EOFException("The connection ended before a close frame");
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}

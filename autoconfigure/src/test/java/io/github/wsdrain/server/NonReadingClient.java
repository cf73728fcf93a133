package io.github.wsdrain.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;

/**
 * A WebSocket client that completes the handshake and then reads nothing, with a tiny
 * receive buffer: the peer that makes a server's writes block.
 */
public final class NonReadingClient implements AutoCloseable {

	private final Socket socket = new Socket();

	private NonReadingClient() {
	}

	public static NonReadingClient connect(int port, String path) throws IOException {
		return connect(port, path, null);
	}

	/**
	 * Connect, offering a sub-protocol.
	 * @param port the server's port
	 * @param path the path, with its query
	 * @param protocol the sub-protocol to offer, {@code null} for none
	 * @return the connected client, which reads nothing from now on
	 * @throws IOException if the handshake fails
	 */
	public static NonReadingClient connect(int port, String path, @Nullable String protocol) throws IOException {
		NonReadingClient client = new NonReadingClient();
		client.socket.setReceiveBufferSize(1024);
		client.socket.connect(new InetSocketAddress("localhost", port), 5000);
		client.socket.setSoTimeout(10_000);
		client.handshake(port, path, protocol);
		return client;
	}

	private void handshake(int port, String path, @Nullable String protocol) throws IOException {
		byte[] nonce = new byte[16];
		ThreadLocalRandom.current().nextBytes(nonce);
		String request = "GET " + path + " HTTP/1.1\r\nHost: localhost:" + port
				+ "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
				+ Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n"
				+ ((protocol != null) ? "Sec-WebSocket-Protocol: " + protocol + "\r\n" : "") + "\r\n";
		OutputStream out = this.socket.getOutputStream();
		out.write(request.getBytes(StandardCharsets.US_ASCII));
		out.flush();
		String response = readHeaders(this.socket.getInputStream());
		if (!response.startsWith("HTTP/1.1 101")) {
			throw new IOException("Handshake refused: " + response);
		}
	}

	private static String readHeaders(InputStream in) throws IOException {
		ByteArrayOutputStream headers = new ByteArrayOutputStream();
		int matched = 0;
		byte[] end = { '\r', '\n', '\r', '\n' };
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

	/**
	 * Read and discard everything until the server ends the connection.
	 * @return the number of bytes read
	 * @throws IOException if reading fails (a reset included)
	 */
	long readToEnd() throws IOException {
		this.socket.setSoTimeout(60_000);
		return this.socket.getInputStream().transferTo(OutputStream.nullOutputStream());
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}

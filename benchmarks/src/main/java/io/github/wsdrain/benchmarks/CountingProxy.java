package io.github.wsdrain.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A loopback TCP proxy for one connection that counts the bytes crossing it each way:
 * what a WebSocket connection puts on the wire, handshake, frame headers and close
 * included.
 */
final class CountingProxy implements AutoCloseable {

	/** Bytes sent each way over the one connection, once both directions have ended. */
	record Bytes(long toServer, long toClient) {

		long total() {
			return this.toServer + this.toClient;
		}

	}

	private final ServerSocket listener;

	private final CompletableFuture<Long> toServer = new CompletableFuture<>();

	private final CompletableFuture<Long> toClient = new CompletableFuture<>();

	CountingProxy(int targetPort) throws IOException {
		this.listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(() -> accept(targetPort), "bench-proxy-accept");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	int port() {
		return this.listener.getLocalPort();
	}

	/** Wait for both directions to end, then return what crossed. */
	Bytes bytes(long timeoutSeconds) throws Exception {
		return new Bytes(this.toServer.get(timeoutSeconds, TimeUnit.SECONDS),
				this.toClient.get(timeoutSeconds, TimeUnit.SECONDS));
	}

	private void accept(int targetPort) {
		try {
			Socket client = this.listener.accept();
			Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
			client.setTcpNoDelay(true);
			server.setTcpNoDelay(true);
			pump(client, server, this.toServer, "bench-proxy-up");
			pump(server, client, this.toClient, "bench-proxy-down");
			CompletableFuture.allOf(this.toServer, this.toClient).whenComplete((done, failure) -> {
				closeQuietly(client);
				closeQuietly(server);
			});
		}
		catch (IOException ex) {
			this.toServer.completeExceptionally(ex);
			this.toClient.completeExceptionally(ex);
		}
	}

	/**
	 * Copy from one socket to the other until the end of stream, then pass the end on;
	 * the sockets are closed once both directions have ended.
	 */
	private static void pump(Socket from, Socket to, CompletableFuture<Long> count, String name) {
		Thread thread = new Thread(() -> {
			long bytes = 0;
			byte[] buffer = new byte[64 * 1024];
			try {
				// Not closed here: closing a socket's stream closes the socket, which the other direction still uses.
				InputStream in = from.getInputStream();
				OutputStream out = to.getOutputStream();
				for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
					out.write(buffer, 0, n);
					bytes += n;
				}
				to.shutdownOutput();
			}
			catch (IOException ex) {
				// A reset after the close handshake ends the count as well as an end of stream.
			}
			finally {
				count.complete(bytes);
			}
		}, name);
		thread.setDaemon(true);
		thread.start();
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// nothing left to count
		}
	}

	@Override
	public void close() throws IOException {
		this.listener.close();
	}

}

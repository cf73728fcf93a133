package io.github.wsdrain.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The physical limit: the same bytes as a WebSocket run (payload plus frame header, one
 * write per message) over a plain loopback TCP connection, read by a raw socket reader.
 */
final class RawLoopback {

	private RawLoopback() {
	}

	/** Length of the header of an unmasked server frame carrying {@code payload} bytes. */
	static int frameHeaderBytes(int payload) {
		return (payload < 126) ? 2 : ((payload <= 0xFFFF) ? 4 : 10);
	}

	/**
	 * Write {@code count} chunks of {@code payload} bytes plus a frame header and return
	 * the nanoseconds from the first write to the reader's receipt of the last byte.
	 */
	static long transfer(int count, int payload) throws Exception {
		byte[] chunk = new byte[payload + frameHeaderBytes(payload)];
		long total = (long) count * chunk.length;
		try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
				Socket reader = new Socket()) {
			reader.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 5000);
			reader.setSoTimeout(60_000);
			try (Socket writer = server.accept()) {
				CountDownLatch start = new CountDownLatch(1);
				CompletableFuture<Void> written = CompletableFuture.runAsync(() -> write(writer, start, chunk, count));
				long started = System.nanoTime();
				start.countDown();
				long read = readFully(reader.getInputStream(), total);
				long finished = System.nanoTime();
				written.get(60, TimeUnit.SECONDS);
				if (read != total) {
					throw new IllegalStateException("Raw loopback: read " + read + " of " + total + " bytes");
				}
				return finished - started;
			}
		}
	}

	private static void write(Socket socket, CountDownLatch start, byte[] chunk, int count) {
		try {
			start.await();
			OutputStream out = socket.getOutputStream();
			for (int i = 0; i < count; i++) {
				out.write(chunk);
			}
			out.flush();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Raw loopback write failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static long readFully(InputStream in, long total) throws IOException {
		byte[] buffer = new byte[256 * 1024];
		long read = 0;
		while (read < total) {
			int n = in.read(buffer);
			if (n < 0) {
				break;
			}
			read += n;
		}
		return read;
	}

}

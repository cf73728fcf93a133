package io.github.wsdrain.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A loopback TCP proxy that holds every chunk it reads for a fixed delay before writing
 * it on, each way: a link with that one-way latency and no bandwidth limit of its own. It
 * reads as fast as the sender writes, so the bytes in flight sit in the proxy, as on a
 * long link, and TCP on either side never sees the delay: only a window kept above TCP
 * (an acknowledgement protocol's) feels the round trip. Accepts any number of
 * connections until closed.
 */
final class DelayingProxy implements AutoCloseable {

	/** Chunks held per direction; at up to 64 KB each, far more than any cell has in flight. */
	private static final int MAX_CHUNKS = 16_384;

	private static final byte[] END = new byte[0];

	private final ServerSocket listener;

	private final long delayNanos;

	private final int targetPort;

	DelayingProxy(int targetPort, Duration oneWay) throws IOException {
		this.targetPort = targetPort;
		this.delayNanos = oneWay.toNanos();
		this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(this::accept, "bench-delay-accept");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	int port() {
		return this.listener.getLocalPort();
	}

	private void accept() {
		while (!this.listener.isClosed()) {
			try {
				Socket client = this.listener.accept();
				Socket server = new Socket(InetAddress.getLoopbackAddress(), this.targetPort);
				client.setTcpNoDelay(true);
				server.setTcpNoDelay(true);
				AtomicInteger open = new AtomicInteger(2);
				delay(client, server, open, "bench-delay-up");
				delay(server, client, open, "bench-delay-down");
			}
			catch (IOException ex) {
				// Closed, or a connection that failed: the cell that used it reports the failure.
			}
		}
	}

	/** One direction: a reading thread stamps each chunk, a writing thread passes it on when due. */
	private void delay(Socket from, Socket to, AtomicInteger open, String name) {
		record Chunk(long due, byte[] bytes) {
		}
		BlockingQueue<Chunk> line = new LinkedBlockingQueue<>(MAX_CHUNKS);
		Thread reader = new Thread(() -> {
			byte[] buffer = new byte[64 * 1024];
			try {
				InputStream in = from.getInputStream();
				for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
					line.put(new Chunk(System.nanoTime() + this.delayNanos, Arrays.copyOf(buffer, n)));
				}
			}
			catch (IOException | InterruptedException ex) {
				// A reset ends this direction as an end of stream does.
			}
			finally {
				line.add(new Chunk(System.nanoTime() + this.delayNanos, END));
			}
		}, name + "-read");
		Thread writer = new Thread(() -> {
			try {
				OutputStream out = to.getOutputStream();
				while (true) {
					Chunk chunk = line.take();
					for (long wait = chunk.due() - System.nanoTime(); wait > 0; wait = chunk.due() - System.nanoTime()) {
						LockSupport.parkNanos(wait);
					}
					if (chunk.bytes() == END) {
						to.shutdownOutput();
						break;
					}
					out.write(chunk.bytes());
				}
			}
			catch (IOException | InterruptedException ex) {
				// The other side is gone: nothing left to deliver.
			}
			finally {
				if (open.decrementAndGet() == 0) {
					closeQuietly(from);
					closeQuietly(to);
				}
			}
		}, name + "-write");
		reader.setDaemon(true);
		writer.setDaemon(true);
		reader.start();
		writer.start();
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// both directions have ended
		}
	}

	@Override
	public void close() throws IOException {
		this.listener.close();
	}

}

package io.github.wsdrain.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A loopback TCP proxy in front of a server, for any number of connections until closed.
 * It counts the bytes crossing it each way (handshake, frame headers and close included),
 * can hold every chunk for a fixed delay before writing it on, can send new connections
 * to another server, and can cut every open connection with a reset, as a network
 * failure would.
 * <p>
 * With a delay, it is a link with that one-way latency and no bandwidth limit of its
 * own: it reads as fast as the sender writes, so the bytes in flight sit in the proxy, as
 * on a long link, and TCP on either side never sees the delay: only a window kept above
 * TCP (an acknowledgement protocol's) feels the round trip.
 */
final class LoopbackProxy implements AutoCloseable {

	/** Bytes sent each way over every connection so far, once each has ended. */
	record Bytes(long toServer, long toClient) {

		long total() {
			return this.toServer + this.toClient;
		}

	}

	/** Chunks held per direction; at up to 64 KB each, far more than any cell has in flight. */
	private static final int MAX_CHUNKS = 16_384;

	private static final byte[] END = new byte[0];

	private final ServerSocket listener;

	private final long delayNanos;

	private volatile int targetPort;

	private final AtomicLong toServer = new AtomicLong();

	private final AtomicLong toClient = new AtomicLong();

	/** One future per direction of every connection, done once that direction has ended. */
	private final List<CompletableFuture<Void>> directions = new CopyOnWriteArrayList<>();

	private final Set<Socket> open = ConcurrentHashMap.newKeySet();

	LoopbackProxy(int targetPort) throws IOException {
		this(targetPort, Duration.ZERO);
	}

	LoopbackProxy(int targetPort, Duration oneWay) throws IOException {
		this.targetPort = targetPort;
		this.delayNanos = oneWay.toNanos();
		this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread acceptor = new Thread(this::accept, "bench-proxy-accept");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	int port() {
		return this.listener.getLocalPort();
	}

	/** Send new connections to this server from now on: a load balancer that picked another node. */
	void route(int targetPort) {
		this.targetPort = targetPort;
	}

	/** Reset every open connection, both sides: neither gets a close frame. */
	void cut() {
		for (Socket socket : this.open) {
			reset(socket);
		}
	}

	/** Wait for every connection so far to end both ways, then return what crossed. */
	Bytes bytes(long timeoutSeconds) throws Exception {
		CompletableFuture.allOf(this.directions.toArray(CompletableFuture[]::new)).get(timeoutSeconds, TimeUnit.SECONDS);
		return new Bytes(this.toServer.get(), this.toClient.get());
	}

	private void accept() {
		while (!this.listener.isClosed()) {
			try {
				Socket client = this.listener.accept();
				Socket server = new Socket(InetAddress.getLoopbackAddress(), this.targetPort);
				client.setTcpNoDelay(true);
				server.setTcpNoDelay(true);
				this.open.add(client);
				this.open.add(server);
				AtomicInteger directions = new AtomicInteger(2);
				forward(client, server, this.toServer, directions, "bench-proxy-up");
				forward(server, client, this.toClient, directions, "bench-proxy-down");
			}
			catch (IOException ex) {
				// Closed, or a connection that failed: the cell that used it reports the failure.
			}
		}
	}

	/**
	 * One direction, until its end of stream (passed on) or a reset; the sockets are
	 * closed once both directions have ended.
	 */
	private void forward(Socket from, Socket to, AtomicLong count, AtomicInteger directions, String name) {
		CompletableFuture<Void> ended = new CompletableFuture<>();
		this.directions.add(ended);
		Runnable end = () -> {
			if (directions.decrementAndGet() == 0) {
				close(from);
				close(to);
			}
			ended.complete(null);
		};
		if (this.delayNanos == 0) {
			start(name, () -> {
				try {
					copy(from, (buffer, n) -> {
						to.getOutputStream().write(buffer, 0, n);
						count.addAndGet(n);
					});
					to.shutdownOutput();
				}
				catch (IOException ex) {
					// A reset (a cut, or after the close handshake) ends this direction as an end of stream does.
				}
				finally {
					end.run();
				}
			});
			return;
		}
		record Chunk(long due, byte[] bytes) {
		}
		BlockingQueue<Chunk> line = new LinkedBlockingQueue<>(MAX_CHUNKS);
		start(name + "-read", () -> {
			try {
				copy(from, (buffer, n) -> {
					try {
						line.put(new Chunk(System.nanoTime() + this.delayNanos, Arrays.copyOf(buffer, n)));
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
						throw new IOException("Interrupted", ex);
					}
				});
			}
			catch (IOException ex) {
				// A reset ends this direction as an end of stream does.
			}
			finally {
				line.add(new Chunk(System.nanoTime() + this.delayNanos, END));
			}
		});
		start(name + "-write", () -> {
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
					count.addAndGet(chunk.bytes().length);
				}
			}
			catch (IOException | InterruptedException ex) {
				// The other side is gone: nothing left to deliver.
			}
			finally {
				end.run();
			}
		});
	}

	/** What a direction does with each chunk it reads. */
	private interface ChunkSink {

		void accept(byte[] buffer, int length) throws IOException;

	}

	/** Read until the end of stream; the stream is not closed: that would close the socket the other direction uses. */
	private static void copy(Socket from, ChunkSink sink) throws IOException {
		byte[] buffer = new byte[64 * 1024];
		InputStream in = from.getInputStream();
		for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
			sink.accept(buffer, n);
		}
	}

	private static void start(String name, Runnable task) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		thread.start();
	}

	private void close(Socket socket) {
		this.open.remove(socket);
		try {
			socket.close();
		}
		catch (IOException ex) {
			// both directions have ended
		}
	}

	private void reset(Socket socket) {
		this.open.remove(socket);
		try {
			socket.setSoLinger(true, 0);
			socket.close();
		}
		catch (IOException ex) {
			// already closed
		}
	}

	@Override
	public void close() throws IOException {
		this.listener.close();
	}

}

package io.github.wsdrain.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy in front of the test server that holds every chunk it reads for a fixed
 * delay before forwarding it, in each direction: a link with that one-way latency and no
 * bandwidth limit of its own. Twice the delay is the round trip the two ends see.
 */
public final class DelayProxy implements AutoCloseable {

	private final ServerSocket listener;

	private final int targetPort;

	private final long delayNanos;

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	private final ExecutorService threads = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "delay-proxy");
		thread.setDaemon(true);
		return thread;
	});

	/** Bytes read from the server and not yet written to the client: what the link holds. */
	private final AtomicLong inFlightToClient = new AtomicLong();

	private final AtomicLong peakInFlightToClient = new AtomicLong();

	/**
	 * Start forwarding to the server.
	 * @param targetPort the server's port on the loopback address
	 * @param oneWay the delay each chunk waits, in each direction
	 */
	public DelayProxy(int targetPort, Duration oneWay) throws IOException {
		this.targetPort = targetPort;
		this.delayNanos = oneWay.toNanos();
		this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.threads.execute(this::accept);
	}

	public int port() {
		return this.listener.getLocalPort();
	}

	/**
	 * Return the most bytes the link held towards the client at once: the sender's data in
	 * flight, a lower bound of what it had sent and not yet seen acknowledged.
	 * @return the peak in bytes
	 */
	public long peakInFlightToClient() {
		return this.peakInFlightToClient.get();
	}

	private void accept() {
		while (!this.listener.isClosed()) {
			try {
				Socket client = this.listener.accept();
				Socket server = new Socket(InetAddress.getLoopbackAddress(), this.targetPort);
				client.setTcpNoDelay(true);
				server.setTcpNoDelay(true);
				this.sockets.add(client);
				this.sockets.add(server);
				forward(client, server, null);
				forward(server, client, this.inFlightToClient);
			}
			catch (IOException ex) {
				// closed
			}
		}
	}

	/** One thread reads and stamps chunks, another writes each once its delay has passed. */
	private void forward(Socket from, Socket to, AtomicLong inFlight) {
		BlockingQueue<Chunk> link = new LinkedBlockingQueue<>();
		this.threads.execute(() -> {
			byte[] buffer = new byte[64 * 1024];
			try {
				InputStream in = from.getInputStream();
				int read;
				while ((read = in.read(buffer)) >= 0) {
					if (inFlight != null) {
						long held = inFlight.addAndGet(read);
						this.peakInFlightToClient.accumulateAndGet(held, Math::max);
					}
					link.add(new Chunk(System.nanoTime() + this.delayNanos, Arrays.copyOf(buffer, read)));
				}
			}
			catch (IOException ex) {
				// closed
			}
			finally {
				link.add(Chunk.END);
			}
		});
		this.threads.execute(() -> {
			try {
				OutputStream out = to.getOutputStream();
				while (true) {
					Chunk chunk = link.take();
					if (chunk == Chunk.END) {
						break;
					}
					// The link's latency: the chunk is on the wire until then.
					long wait;
					while ((wait = chunk.due() - System.nanoTime()) > 0) {
						LockSupport.parkNanos(wait);
					}
					out.write(chunk.bytes());
					if (inFlight != null) {
						inFlight.addAndGet(-chunk.bytes().length);
					}
				}
			}
			catch (IOException | InterruptedException ex) {
				// closed
			}
			finally {
				closeQuietly(to);
				closeQuietly(from);
			}
		});
	}

	private void closeQuietly(Socket socket) {
		this.sockets.remove(socket);
		try {
			socket.close();
		}
		catch (IOException ex) {
			// already closed
		}
	}

	@Override
	public void close() throws IOException {
		this.listener.close();
		this.sockets.forEach(this::closeQuietly);
		this.threads.shutdownNow();
	}

	private record Chunk(long due, byte[] bytes) {

		static final Chunk END = new Chunk(0, new byte[0]);

	}

}

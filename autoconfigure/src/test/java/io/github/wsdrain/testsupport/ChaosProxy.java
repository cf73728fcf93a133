package io.github.wsdrain.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * A TCP proxy in front of the test server that can cut every connection through it at
 * once, with a reset, as a network failure would: neither side gets a close frame. In
 * front of several servers it sends each new connection to the next one.
 */
public final class ChaosProxy implements AutoCloseable {

	private final ServerSocket listener;

	/** The servers behind the proxy: each new connection goes to the next, in turn. */
	private volatile int[] targetPorts;

	private final AtomicInteger accepted = new AtomicInteger();

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	/** Each open connection's client side to its server side. */
	private final Map<Socket, Socket> pairs = new ConcurrentHashMap<>();

	private final ExecutorService threads = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "chaos-proxy");
		thread.setDaemon(true);
		return thread;
	});

	private final AtomicInteger cuts = new AtomicInteger();

	/** Sockets whose bytes are read and dropped: a path that went silent without a reset. */
	private final Set<Socket> silenced = ConcurrentHashMap.newKeySet();

	private final AtomicInteger refused = new AtomicInteger();

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

	private volatile boolean refusing;

	/** How many of the next connections to reset at once: a first handshake that fails. */
	private final AtomicInteger toReset = new AtomicInteger();

	private volatile @Nullable Duration minLifetime;

	private volatile @Nullable Duration maxLifetime;

	public ChaosProxy(int targetPort) throws IOException {
		this(new int[] { targetPort });
	}

	/**
	 * A proxy in front of several servers, as a load balancer without sticky sessions:
	 * each new connection goes to the next server in turn.
	 * @param targetPorts the servers' ports
	 */
	public ChaosProxy(int... targetPorts) throws IOException {
		this.targetPorts = targetPorts.clone();
		this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.threads.execute(this::accept);
	}

	/**
	 * Cut each connection on its own, at a random moment between the two lifetimes after
	 * it was opened, or after now for those already open.
	 */
	public void cutEachAfter(Duration min, Duration max) {
		this.minLifetime = min;
		this.maxLifetime = max;
		this.pairs.forEach(this::scheduleCut);
	}

	/**
	 * Send new connections to these servers from now on, in turn: a load balancer that
	 * took a server out or put one in.
	 * @param ports the servers' ports
	 */
	public void route(int... ports) {
		this.targetPorts = ports.clone();
	}

	/** Reset the next connections at once, then accept the rest. */
	public void resetNext(int connections) {
		this.toReset.set(connections);
	}

	/** Reset new connections at once (a network that is down), or accept them again. */
	public void refuse(boolean refusing) {
		this.refusing = refusing;
	}

	public int port() {
		return this.listener.getLocalPort();
	}

	/** How many connections were reset on arrival while refusing. */
	public int refused() {
		return this.refused.get();
	}

	public int cuts() {
		return this.cuts.get();
	}

	/**
	 * Stop forwarding on every open connection, in both directions, without closing
	 * anything: both ends see a connection that is open and silent (a dead NAT mapping).
	 * New connections are forwarded as usual.
	 */
	public void silence() {
		this.silenced.addAll(this.sockets);
	}

	/** Reset every connection through the proxy. */
	public void cut() {
		this.cuts.incrementAndGet();
		for (Socket socket : this.sockets) {
			reset(socket);
		}
	}

	private void accept() {
		while (!this.listener.isClosed()) {
			try {
				Socket client = this.listener.accept();
				if (this.refusing || this.toReset.getAndUpdate((n) -> Math.max(n - 1, 0)) > 0) {
					this.refused.incrementAndGet();
					reset(client);
					continue;
				}
				int[] targets = this.targetPorts;
				int target = targets[Math.floorMod(this.accepted.getAndIncrement(), targets.length)];
				Socket server;
				try {
					server = new Socket(InetAddress.getLoopbackAddress(), target);
				}
				catch (IOException ex) {
					// That server is down: the client sees a reset, and its retry goes to the next one.
					this.refused.incrementAndGet();
					reset(client);
					continue;
				}
				this.sockets.add(client);
				this.sockets.add(server);
				this.pairs.put(client, server);
				this.threads.execute(() -> pump(client, server));
				this.threads.execute(() -> pump(server, client));
				scheduleCut(client, server);
			}
			catch (IOException ex) {
				// closed
			}
		}
	}

	private void scheduleCut(Socket client, Socket server) {
		Duration min = this.minLifetime;
		Duration max = this.maxLifetime;
		if (min != null && max != null) {
			long lifetime = ThreadLocalRandom.current().nextLong(min.toMillis(), max.toMillis() + 1);
			this.timer.schedule(() -> {
				if (this.sockets.contains(client)) {
					this.cuts.incrementAndGet();
					reset(client);
					reset(server);
				}
			}, lifetime, TimeUnit.MILLISECONDS);
		}
	}

	private void pump(Socket from, Socket to) {
		byte[] buffer = new byte[16 * 1024];
		try {
			InputStream in = from.getInputStream();
			OutputStream out = to.getOutputStream();
			int read;
			while ((read = in.read(buffer)) >= 0) {
				if (!this.silenced.contains(from) && !this.silenced.contains(to)) {
					out.write(buffer, 0, read);
				}
			}
		}
		catch (IOException ex) {
			// cut or closed
		}
		finally {
			// A silenced side stays open: it is the client that must notice on its own.
			for (Socket socket : List.of(from, to)) {
				if (!this.silenced.contains(socket)) {
					// An orderly close first: what was forwarded is not discarded (a cut has reset it already).
					closeQuietly(socket);
					reset(socket);
				}
			}
		}
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// already closed
		}
	}

	private void reset(Socket socket) {
		this.sockets.remove(socket);
		this.pairs.remove(socket);
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
		this.timer.shutdownNow();
		this.silenced.clear();
		cut();
		this.threads.shutdownNow();
	}

}

package io.github.wsdrain.benchmarks;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@code redis-server} for the redis section, on a free loopback port, without
 * persistence and with {@code maxmemory-policy noeviction} (what the docs require of the
 * store's Redis). Stopped (SIGKILL) by {@link #close()}.
 */
final class RedisProcess implements AutoCloseable {

	/** The Debian package that provides the executable, named when it is missing. */
	static final String PACKAGE = "redis-server";

	private static final long START_MILLIS = 20_000;

	/** Another process may take the port between the probe and the server's bind: try a few. */
	private static final int PORT_ATTEMPTS = 5;

	private final Process process;

	private final int port;

	private RedisProcess(Process process, int port) {
		this.process = process;
		this.port = port;
	}

	/** The {@code redis-server} executable on the usual paths or the {@code PATH}, if any. */
	static Optional<Path> executable() {
		String path = System.getenv("PATH");
		Stream<String> dirs = Stream.concat(Stream.of("/usr/bin", "/usr/local/bin", "/usr/sbin"),
				(path != null) ? Stream.of(path.split(File.pathSeparator)) : Stream.empty());
		return dirs.map((dir) -> Path.of(dir, "redis-server")).filter(Files::isExecutable).findFirst();
	}

	/**
	 * Start the executable on a free loopback port and wait until it answers PING.
	 * @param executable the {@code redis-server} to run
	 * @return the running server
	 * @throws IOException if it does not answer within 20 s in a few tries
	 */
	static RedisProcess start(Path executable) throws IOException, InterruptedException {
		IOException last = null;
		for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
			int port = freePort();
			Process process = new ProcessBuilder(executable.toString(), "--port", String.valueOf(port), "--bind",
					"127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--maxmemory-policy",
					"noeviction")
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_MILLIS);
			while (process.isAlive() && System.nanoTime() < deadline) {
				if (ping(port)) {
					return new RedisProcess(process, port);
				}
				// Polling a process that is starting: nothing to wait on but its port.
				Thread.sleep(50);
			}
			process.destroyForcibly().waitFor(START_MILLIS, TimeUnit.MILLISECONDS);
			last = new IOException("redis-server did not answer PING on 127.0.0.1:" + port + " (exit status "
					+ (process.isAlive() ? "none" : process.exitValue()) + ")");
		}
		throw last;
	}

	int port() {
		return this.port;
	}

	/**
	 * Run one command whose reply is an integer (e.g. {@code MEMORY USAGE}), on a
	 * connection of its own.
	 * @param args the command and its arguments
	 * @return the integer
	 * @throws IOException if the server cannot be reached or replies with anything else
	 */
	long integer(String... args) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port), 1000);
			socket.setSoTimeout(5000);
			StringBuilder request = new StringBuilder("*" + args.length + "\r\n");
			for (String arg : args) {
				request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg)
					.append("\r\n");
			}
			socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
			InputStream in = socket.getInputStream();
			StringBuilder line = new StringBuilder();
			int b;
			while ((b = in.read()) >= 0 && b != '\n' && line.length() < 1000) {
				if (b != '\r') {
					line.append((char) b);
				}
			}
			if (line.length() < 2 || line.charAt(0) != ':') {
				throw new IOException("Expected an integer reply to " + String.join(" ", args) + ", got " + line);
			}
			return Long.parseLong(line.substring(1));
		}
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroyForcibly().waitFor(START_MILLIS, TimeUnit.MILLISECONDS);
	}

	private static boolean ping(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
			socket.setSoTimeout(2000);
			OutputStream out = socket.getOutputStream();
			out.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] reply = in.readNBytes(7);
			return "+PONG\r\n".equals(new String(reply, StandardCharsets.US_ASCII));
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return probe.getLocalPort();
		}
	}

}

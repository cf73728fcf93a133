package io.github.wsdrain.testsupport;

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
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.awaitility.Awaitility.await;

/**
 * A real {@code redis-server} for the tests, on a free loopback port, without persistence
 * ({@code --save "" --appendonly no}): started before the test class, stopped after it,
 * and stoppable and restartable on the same port in between. Register it with
 * {@code @RegisterExtension static RedisServer redis = new RedisServer();}.
 * <p>
 * Without a {@code redis-server} executable the tests are skipped, naming the Debian
 * package; with {@code CI=true} they fail instead.
 */
public final class RedisServer implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

	private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

	/** Another process may take a port between our probe and the server's bind: try a few. */
	private static final int PORT_ATTEMPTS = 5;

	private int port;

	private @Nullable Process process;

	private @Nullable Path log;

	@Override
	public void beforeAll(ExtensionContext context) throws Exception {
		start();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		close();
	}

	/**
	 * Start the server on a free port, or skip the calling test when it is not installed.
	 * @throws IOException if it does not answer PING after {@value #PORT_ATTEMPTS} tries
	 */
	public void start() throws IOException {
		Path executable = executable().orElseGet(RedisServer::missing);
		IOException last = null;
		for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
			this.port = freePort();
			try {
				launch(executable);
				return;
			}
			catch (IOException ex) {
				last = ex;
				stop();
			}
		}
		throw new IOException("redis-server did not start on a free loopback port in " + PORT_ATTEMPTS + " tries",
				last);
	}

	/** Stop the server as a crash would (SIGKILL): connected clients see their connections reset. */
	public void stop() {
		Process running = this.process;
		if (running != null) {
			running.destroyForcibly();
			await().atMost(START_TIMEOUT).until(() -> !running.isAlive());
			this.process = null;
		}
	}

	/**
	 * Start the server again on the same port, empty: what a restart without persistence
	 * leaves.
	 * @throws IOException if it does not answer PING
	 */
	public void restart() throws IOException {
		stop();
		launch(executable().orElseGet(RedisServer::missing));
	}

	/**
	 * Run one command and return its reply line (simple string, integer or error).
	 * @param args the command and its arguments
	 * @return the reply: a simple string or integer without its type byte, a bulk string's
	 * text (a bulk reply of one line), or an error or array header as sent
	 * @throws IOException if the server cannot be reached
	 */
	public String command(String... args) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port), 1000);
			socket.setSoTimeout(5000);
			StringBuilder request = new StringBuilder("*" + args.length + "\r\n");
			for (String arg : args) {
				request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg)
					.append("\r\n");
			}
			OutputStream out = socket.getOutputStream();
			out.write(request.toString().getBytes(StandardCharsets.UTF_8));
			out.flush();
			InputStream in = socket.getInputStream();
			String line = readLine(in);
			// A bulk string: its length, then the text ('$-1': none).
			return (line.startsWith("$") && !line.equals("$-1")) ? readLine(in) : line;
		}
	}

	public int port() {
		return this.port;
	}

	public boolean isRunning() {
		Process running = this.process;
		return running != null && running.isAlive();
	}

	/** The Spring Boot property that points a {@code RedisConnectionFactory} at this server. */
	public String portProperty() {
		return "spring.data.redis.port=" + this.port;
	}

	@Override
	public void close() {
		stop();
		Path written = this.log;
		if (written != null) {
			try {
				Files.deleteIfExists(written);
			}
			catch (IOException ex) {
				// a temporary file: the system cleans it up
			}
		}
	}

	private void launch(Path executable) throws IOException {
		if (this.log == null) {
			this.log = Files.createTempFile("wsdrain-redis-", ".log");
		}
		Path logFile = this.log;
		Process started = new ProcessBuilder(executable.toString(), "--port", String.valueOf(this.port), "--bind",
				"127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes")
			.redirectErrorStream(true)
			.redirectOutput(logFile.toFile())
			.start();
		this.process = started;
		try {
			await().atMost(START_TIMEOUT).until(() -> !started.isAlive() || ping());
		}
		catch (RuntimeException ex) {
			throw new IOException("redis-server did not answer PING on port " + this.port, ex);
		}
		if (!started.isAlive()) {
			throw new IOException("redis-server exited with " + started.exitValue() + " on port " + this.port + ": "
					+ Files.readString(logFile));
		}
	}

	private boolean ping() {
		try {
			return "PONG".equals(command("PING"));
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static String readLine(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		int b;
		while ((b = in.read()) >= 0 && b != '\n') {
			if (b != '\r') {
				line.append((char) b);
			}
			if (line.length() > 10_000) {
				break;
			}
		}
		if (line.length() > 0 && (line.charAt(0) == '+' || line.charAt(0) == ':')) {
			return line.substring(1);
		}
		return line.toString();
	}

	private static int freePort() throws IOException {
		try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return probe.getLocalPort();
		}
	}

	private static Optional<Path> executable() {
		String path = System.getenv("PATH");
		Stream<String> dirs = Stream.concat(Stream.of("/usr/bin", "/usr/local/bin", "/usr/sbin"),
				(path != null) ? Stream.of(path.split(File.pathSeparator)) : Stream.empty());
		return dirs.map((dir) -> Path.of(dir, "redis-server")).filter(Files::isExecutable).findFirst();
	}

	private static Path missing() {
		String message = "No redis-server executable: install the Debian package 'redis-server' "
				+ "(apt-get install -y redis-server) to run the multi-node tests";
		if ("true".equalsIgnoreCase(System.getenv("CI"))) {
			throw new IllegalStateException(message + " (CI=true: the multi-node tests must run)");
		}
		Assumptions.abort(message);
		throw new IllegalStateException(message);
	}

}

package io.github.wsdrain.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.github.wsdrain.benchmarks.Bench.WAIT_SECONDS;
import static io.github.wsdrain.benchmarks.Bench.check;

/**
 * {@link ScaleClients} started in a JVM of its own, and the lines it reports.
 */
final class ClientsProcess implements AutoCloseable {

	/** Longest wait for a line: the clients of 10,000 sessions need a while to connect and to close. */
	private static final long LINE_SECONDS = 300;

	private final Process process;

	private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

	private ClientsProcess(Process process, String name) {
		this.process = process;
		Thread reader = new Thread(() -> {
			try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
				in.lines().forEach(this.lines::add);
			}
			catch (Exception ex) {
				this.lines.add("ERROR reading the clients' output: " + ex);
			}
		}, name + "-output");
		reader.setDaemon(true);
		reader.start();
	}

	/**
	 * Start the clients.
	 * @param uri where they connect
	 * @param count how many connections
	 * @param maxHeap the clients' JVM's {@code -Xmx}, e.g. {@code 2g}
	 * @param name the name of the thread that reads their output
	 * @return the running clients
	 */
	static ClientsProcess start(URI uri, int count, String maxHeap, String name) throws IOException {
		Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx" + maxHeap, "-cp", System.getProperty("java.class.path"), ScaleClients.class.getName(),
				uri.toString(), Integer.toString(count))
			.redirectError(ProcessBuilder.Redirect.INHERIT)
			.start();
		return new ClientsProcess(process, name);
	}

	/** The next line the clients print, which must start with {@code prefix}. */
	String expectLine(String prefix) throws InterruptedException {
		String line = this.lines.poll(LINE_SECONDS, TimeUnit.SECONDS);
		check(line != null, "clients: no '%s' line within %d s", prefix, LINE_SECONDS);
		check(line.startsWith(prefix), "clients: '%s', expected '%s …'", line, prefix);
		return line;
	}

	/** The {@code key=value} fields of a line. */
	static Map<String, String> fields(String line) {
		Map<String, String> fields = new HashMap<>();
		for (String part : line.split(" ")) {
			int eq = part.indexOf('=');
			if (eq > 0) {
				fields.put(part.substring(0, eq), part.substring(eq + 1));
			}
		}
		return fields;
	}

	/** The exit status, once the clients have ended (see {@link #close()}). */
	int exitValue() {
		return this.process.exitValue();
	}

	/** Wait for the clients to end; stop them if they do not within the longest wait. */
	@Override
	public void close() throws InterruptedException {
		if (!this.process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
		}
	}

}

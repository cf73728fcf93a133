package io.github.wsdrain.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.github.wsdrain.benchmarks.Bench.WAIT_SECONDS;
import static io.github.wsdrain.benchmarks.Bench.check;

/**
 * {@link ScaleClients} started in a JVM of its own, which opens a set of connections on
 * each {@link #open} and reports their lines. One JVM serves every run of a section, so
 * that its JIT compiler has settled before the measured runs instead of competing with
 * the server for this machine's cores in each of them.
 */
final class ClientsProcess implements AutoCloseable {

	/** Longest wait for a line: the clients of 10,000 sessions need a while to connect and to close. */
	private static final long LINE_SECONDS = 300;

	/**
	 * Longest wait for the clients' JVM to end once its input has: at once after its last
	 * run, never after a run that failed, whose connections it still waits for.
	 */
	private static final long EXIT_SECONDS = 10;

	private final Process process;

	private final Writer commands;

	private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

	private ClientsProcess(Process process, String name) {
		this.process = process;
		this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
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
	 * Start the clients' JVM, with no connection yet.
	 * @param maxHeap the clients' JVM's {@code -Xmx}, e.g. {@code 2g}
	 * @param name the name of the thread that reads their output
	 * @return the running clients
	 */
	static ClientsProcess start(String maxHeap, String name) throws IOException {
		Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx" + maxHeap, "-cp", System.getProperty("java.class.path"), ScaleClients.class.getName())
			.redirectError(ProcessBuilder.Redirect.INHERIT)
			.start();
		return new ClientsProcess(process, name);
	}

	/**
	 * Open a run's connections; the clients print {@code CONNECTED} once they are open,
	 * then {@code RESULT} once the server has closed every one.
	 * @param uri where they connect
	 * @param count how many connections
	 */
	void open(URI uri, int count) throws IOException {
		this.commands.write(uri + " " + count + "\n");
		this.commands.flush();
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

	/**
	 * End the clients' input so that their JVM ends after its last run; stop it if it has
	 * not within {@link #EXIT_SECONDS}; then check that it ended well.
	 */
	@Override
	public void close() throws InterruptedException {
		try {
			this.commands.close();
		}
		catch (IOException ex) {
			// The JVM has ended already: waitFor returns at once.
		}
		if (!this.process.waitFor(EXIT_SECONDS, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
		}
		check(this.process.exitValue() == 0, "clients exited with %d", this.process.exitValue());
	}

}

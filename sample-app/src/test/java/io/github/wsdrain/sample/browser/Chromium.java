package io.github.wsdrain.sample.browser;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.awaitility.Awaitility.await;

/**
 * A headless Chromium driven over the DevTools protocol with the JDK's WebSocket client:
 * no Selenium, no Playwright. Started with its own temporary profile and
 * {@code --remote-debugging-port=0}; the port is read from {@code DevToolsActivePort}.
 * <p>
 * Without a {@code chromium} executable the tests are skipped, naming the Debian package;
 * with {@code CI=true} they fail instead.
 */
final class Chromium implements AutoCloseable {

	static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

	private final Process process;

	private final Path profile;

	private final WebSocket socket;

	private final AtomicLong ids = new AtomicLong();

	private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

	private Chromium(Process process, Path profile, WebSocket socket, Receiver receiver) {
		this.process = process;
		this.profile = profile;
		this.socket = socket;
		receiver.owner = this;
	}

	/**
	 * Start Chromium, or skip the calling test class when it is not installed.
	 * @return the browser
	 * @throws Exception if it cannot be started
	 */
	static Chromium start() throws Exception {
		Optional<Path> executable = executable();
		if (executable.isEmpty()) {
			String message = "No chromium executable on the PATH: install the Debian package 'chromium' "
					+ "(apt-get install -y chromium) to run the browser tests";
			if ("true".equalsIgnoreCase(System.getenv("CI"))) {
				throw new IllegalStateException(message + " (CI=true: the browser tests must run)");
			}
			Assumptions.abort(message);
		}
		Path profile = Files.createTempDirectory("wsdrain-chromium-");
		Process process = new ProcessBuilder(executable.get().toString(), "--headless=new",
				"--remote-debugging-port=0", "--user-data-dir=" + profile, "--no-sandbox", "--disable-gpu",
				"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
				"--disable-sync", "--disable-extensions", "--disable-dev-shm-usage",
				"--disable-background-timer-throttling", "--disable-renderer-backgrounding",
				"--disable-backgrounding-occluded-windows", "--window-size=1000,1400", "about:blank")
			.redirectErrorStream(true)
			.redirectOutput(profile.resolve("chromium.log").toFile())
			.start();
		// A test JVM that is stopped must not leave a browser behind.
		Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
		Path activePort = profile.resolve("DevToolsActivePort");
		await().atMost(Duration.ofSeconds(30))
			.until(() -> !process.isAlive() || (Files.exists(activePort) && Files.readAllLines(activePort).size() >= 2));
		if (!process.isAlive()) {
			throw new IllegalStateException("chromium exited with " + process.exitValue() + ": "
					+ Files.readString(profile.resolve("chromium.log")));
		}
		List<String> lines = Files.readAllLines(activePort);
		URI endpoint = URI.create("ws://127.0.0.1:" + lines.get(0).trim() + lines.get(1).trim());
		Receiver receiver = new Receiver();
		WebSocket socket = HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.buildAsync(endpoint, receiver)
			.get(30, TimeUnit.SECONDS);
		return new Chromium(process, profile, socket, receiver);
	}

	private static Optional<Path> executable() {
		String path = System.getenv().getOrDefault("PATH", "");
		return Stream.of("chromium", "chromium-browser", "google-chrome")
			.flatMap((name) -> Stream.of(path.split(File.pathSeparator)).map((dir) -> Path.of(dir, name)))
			.filter(Files::isExecutable)
			.findFirst();
	}

	/**
	 * Open a new tab on a URL and wait for its page to load.
	 * @param url the page
	 * @return the tab
	 */
	Tab open(String url) {
		String targetId = call("Target.createTarget", Map.of("url", "about:blank"), null).get("targetId").asString();
		String sessionId = call("Target.attachToTarget", Map.of("targetId", targetId, "flatten", true), null)
			.get("sessionId")
			.asString();
		Tab tab = new Tab(this, targetId, sessionId);
		tab.navigate(url);
		return tab;
	}

	JsonNode call(String method, Map<String, Object> params, String sessionId) {
		long id = this.ids.incrementAndGet();
		ObjectNode command = JSON.createObjectNode();
		command.put("id", id);
		command.put("method", method);
		command.set("params", JSON.valueToTree(params));
		if (sessionId != null) {
			command.put("sessionId", sessionId);
		}
		CompletableFuture<JsonNode> answer = new CompletableFuture<>();
		this.pending.put(id, answer);
		synchronized (this.socket) {
			this.socket.sendText(JSON.writeValueAsString(command), true).join();
		}
		try {
			JsonNode reply = answer.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
			if (reply.has("error")) {
				throw new IllegalStateException(method + " failed: " + reply.get("error"));
			}
			return reply.get("result");
		}
		catch (Exception ex) {
			throw new IllegalStateException(method + " failed: " + ex.getMessage(), ex);
		}
		finally {
			this.pending.remove(id);
		}
	}

	@Override
	public void close() throws IOException {
		try {
			call("Browser.close", Map.of(), null);
		}
		catch (RuntimeException ex) {
			// it may be gone already
		}
		this.socket.abort();
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
		try (Stream<Path> files = Files.walk(this.profile)) {
			files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
		}
	}

	private static final class Receiver implements WebSocket.Listener {

		private final StringBuilder text = new StringBuilder();

		private volatile Chromium owner;

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.text.append(data);
			if (last) {
				JsonNode message = JSON.readTree(this.text.toString());
				this.text.setLength(0);
				if (message.has("id") && this.owner != null) {
					CompletableFuture<JsonNode> answer = this.owner.pending.get(message.get("id").asLong());
					if (answer != null) {
						answer.complete(message);
					}
				}
			}
			webSocket.request(1);
			return null;
		}

	}

}

package io.github.wsdrain.sample.client;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.client.BufferedWebSocketClient;
import io.github.wsdrain.client.BufferedWebSocketConnection;
import io.github.wsdrain.client.ConnectionClosedException;
import io.github.wsdrain.client.ReceiveTimeoutException;
import io.github.wsdrain.client.ReliableWebSocketConnection;
import io.github.wsdrain.client.WebSocketConnectException;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.util.Assert;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;

/**
 * Connects with the {@link BufferedWebSocketClient}, reads until the connection has
 * closed for good, and prints one JSON line:
 * {@code {"received":K,"closeCode":C,"closeReason":"…","closeFrameReceived":true|false,"elapsedMs":T,
 * "reconnects":R,"resumed":U,"duplicates":D}}: with {@code wsdrain.sample.client.reliable=true} the
 * connection speaks {@code wsdrain.v1} (R reconnections, U of them resumed, D duplicates
 * dropped that the consumer would have seen without deduplication); otherwise all three
 * are 0.
 * Exit code 0 when the connection closed (whatever the close code), 1 when it could not
 * be opened, 2 when no message came within {@code wsdrain.client.receive-timeout}.
 */
public class SampleClientRunner implements ApplicationRunner, ExitCodeGenerator {

	private final BufferedWebSocketClient client;

	private final SampleClientProperties properties;

	private final PrintStream out;

	private volatile int exitCode;

	public SampleClientRunner(BufferedWebSocketClient client, SampleClientProperties properties, PrintStream out) {
		this.client = client;
		this.properties = properties;
		this.out = out;
	}

	@Override
	public void run(ApplicationArguments args) throws Exception {
		String url = this.properties.getUrl();
		Assert.state(url != null, "wsdrain.sample.client.url must be set");
		long start = System.nanoTime();
		BufferedWebSocketConnection connection;
		try {
			connection = this.properties.isReliable() ? this.client.connectReliable(URI.create(url), null)
					: this.client.connect(URI.create(url));
		}
		catch (IllegalArgumentException | WebSocketConnectException ex) {
			System.err.println("wsdrain sample client: " + ex.getMessage());
			this.exitCode = 1;
			return;
		}
		Duration delay = this.properties.getConsumeDelay();
		int received = 0;
		try (connection; BufferedWriter indexes = openIndexesFile()) {
			while (true) {
				WebSocketMessage<?> message;
				try {
					message = connection.receive();
				}
				catch (ConnectionClosedException closed) {
					long elapsedMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
					this.out.println(json(received, closed, elapsedMs, connection));
					this.out.flush();
					return;
				}
				catch (ReceiveTimeoutException ex) {
					System.err.println("wsdrain sample client: no message from " + url + " within "
							+ ex.getTimeout().toMillis() + " ms (wsdrain.client.receive-timeout) after " + received
							+ " messages; giving up");
					this.exitCode = 2;
					return;
				}
				received++;
				if (indexes != null) {
					indexes.write(index(message));
					indexes.newLine();
				}
				if (!delay.isZero() && !delay.isNegative()) {
					TimeUnit.NANOSECONDS.sleep(delay.toNanos());
				}
			}
		}
	}

	private BufferedWriter openIndexesFile() throws IOException {
		return (this.properties.getIndexesFile() != null)
				? Files.newBufferedWriter(this.properties.getIndexesFile(), StandardCharsets.UTF_8) : null;
	}

	@Override
	public int getExitCode() {
		return this.exitCode;
	}

	/**
	 * The decimal index before the first {@code |}, or the whole text if there is none.
	 */
	static String index(WebSocketMessage<?> message) {
		String text;
		if (message instanceof TextMessage textMessage) {
			text = textMessage.getPayload();
		}
		else if (message instanceof BinaryMessage binaryMessage) {
			ByteBuffer payload = binaryMessage.getPayload().duplicate();
			text = StandardCharsets.UTF_8.decode(payload).toString();
		}
		else {
			text = String.valueOf(message.getPayload());
		}
		int bar = text.indexOf('|');
		return (bar >= 0) ? text.substring(0, bar) : text;
	}

	static String json(int received, ConnectionClosedException closed, long elapsedMs,
			BufferedWebSocketConnection connection) {
		ReliableWebSocketConnection reliable = (connection instanceof ReliableWebSocketConnection r) ? r : null;
		return "{\"received\":" + received + ",\"closeCode\":" + closed.getCode() + ",\"closeReason\":\""
				+ escape(closed.getReason()) + "\",\"closeFrameReceived\":" + closed.isCloseFrameReceived()
				+ ",\"elapsedMs\":" + elapsedMs + ",\"reconnects\":" + ((reliable != null) ? reliable.getReconnects() : 0)
				+ ",\"resumed\":" + ((reliable != null) ? reliable.getResumes() : 0) + ",\"duplicates\":"
				+ ((reliable != null) ? reliable.getDuplicates() : 0) + "}";
	}

	private static String escape(String text) {
		StringBuilder escaped = new StringBuilder(text.length());
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '"' -> escaped.append("\\\"");
				case '\\' -> escaped.append("\\\\");
				case '\n' -> escaped.append("\\n");
				case '\r' -> escaped.append("\\r");
				case '\t' -> escaped.append("\\t");
				default -> {
					if (c < 0x20) {
						escaped.append(String.format("\\u%04x", (int) c));
					}
					else {
						escaped.append(c);
					}
				}
			}
		}
		return escaped.toString();
	}

}

package io.github.wsdrain.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.client.BufferedWebSocketClient;
import io.github.wsdrain.server.resume.ResumableSession;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.stream.ByteRecord;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;

import static io.github.wsdrain.benchmarks.Bench.KB;
import static io.github.wsdrain.benchmarks.Bench.THROUGHPUT_RUNS_FACTOR;
import static io.github.wsdrain.benchmarks.Bench.WAIT_SECONDS;
import static io.github.wsdrain.benchmarks.Bench.check;
import static io.github.wsdrain.benchmarks.Bench.filler;
import static io.github.wsdrain.benchmarks.Bench.log;

/**
 * {@code wsdrain.v1} with the Redis resume store against the memory store, one node, 1 KB
 * messages; then what Redis holds per unacknowledged byte. Runs a {@code redis-server} of
 * its own on a free loopback port and a second server with
 * {@code wsdrain.server.resume.store=redis} beside the benchmark's (memory store).
 */
final class RedisCells {

	/** Unacknowledged messages per memory run: half the default resume buffer (1 MB). */
	static final int UNACKNOWLEDGED = 512;

	/** Which server's store a protocol run uses. */
	enum Store {

		MEMORY("memory store (default)"), REDIS("Redis store (`wsdrain.server.resume.store=redis`)");

		final String label;

		Store(String label) {
			this.label = label;
		}

	}

	private final BenchContext bench;

	RedisCells(BenchContext bench) {
		this.bench = bench;
	}

	void redis() throws Exception {
		Optional<Path> executable = RedisProcess.executable();
		if (executable.isEmpty()) {
			String message = "Redis section skipped: no redis-server executable; install the Debian package '"
					+ RedisProcess.PACKAGE + "' (apt-get install -y " + RedisProcess.PACKAGE + ")";
			log("%s", message);
			this.bench.report().redis().skipped(message);
			return;
		}
		try (RedisProcess redis = RedisProcess.start(executable.get())) {
			log("Redis store: redis-server on 127.0.0.1:%d", redis.port());
			ConfigurableApplicationContext context = BenchServer.start(redisStore(redis));
			try {
				BenchServer server = context.getBean(BenchServer.class);
				URI uri = URI.create("ws://127.0.0.1:" + BenchServer.port(context) + "/drained");
				stores(server, uri);
				move(server, BenchServer.port(context), redis);
				memory(server, BenchServer.port(context), context.getBean(RedisConnectionFactory.class), redis);
			}
			finally {
				context.close();
			}
		}
	}

	/** The properties of a server with the Redis store on that {@code redis-server}. */
	private static Map<String, Object> redisStore(RedisProcess redis) {
		return Map.of("wsdrain.server.resume.store", "redis", "spring.data.redis.host", "127.0.0.1",
				"spring.data.redis.port", String.valueOf(redis.port()));
	}

	/** Across a move: the Redis store's server as node A, and a second one beside it as node B. */
	private void move(BenchServer nodeA, int portA, RedisProcess redis) throws Exception {
		Map<String, Object> properties = new HashMap<>(redisStore(redis));
		// The client's Tomcat logs its close frame that cannot go out after the cut, with a stack trace, at WARN.
		properties.put("logging.level.org.apache.tomcat.websocket.WsRemoteEndpointImplClient", "ERROR");
		ConfigurableApplicationContext nodeB = BenchServer.start(properties);
		try {
			MoveCell cell = new MoveCell(this.bench, nodeA, portA, nodeB.getBean(BenchServer.class),
					BenchServer.port(nodeB));
			// Node A may run a whole replay window (32 MB by default) ahead of what the client has
			// received: at the halfway cut, node B must still have messages of its own to send.
			this.bench.report().redis().move(cell.measure(100_000));
		}
		finally {
			nodeB.close();
		}
	}

	/** ABBA pairs: the benchmark's server (memory store) and the Redis store's, same client. */
	private void stores(BenchServer redisServer, URI redisUri) throws Exception {
		int count = this.bench.quick() ? 5_000 : 20_000;
		BufferedWebSocketClient client = new BufferedWebSocketClient(new StandardWebSocketClient());
		client.setReliable(true);
		ReceiveCells cells = new ReceiveCells(this.bench);
		Map<Store, BenchServer> servers = Map.of(Store.MEMORY, this.bench.server(), Store.REDIS, redisServer);
		Map<Store, URI> uris = Map.of(Store.MEMORY, this.bench.uri("/drained"), Store.REDIS, redisUri);
		List<Store> pair = List.of(Store.MEMORY, Store.REDIS);
		int rounds = this.bench.runs() * THROUGHPUT_RUNS_FACTOR;
		log("wsdrain.v1, memory store against Redis store, 1 KB messages, %,d per run", count);
		AbbaPairs.Measured<Store> measured = AbbaPairs.measure(pair, this.bench.warmups(), rounds, count,
				"  round %d/%d: memory store %,.0f/s; Redis store %,.0f/s",
				(store) -> cells.protocolRun(client, ReceiveCells.ProtocolVariant.ACKNOWLEDGED, count,
						servers.get(store), uris.get(store)));
		this.bench.report().redis().stores(count, measured.rates(), measured.cpu());
	}

	/**
	 * Redis memory per unacknowledged byte: a {@code wsdrain.v1} client that reads
	 * everything and acknowledges nothing; {@value #UNACKNOWLEDGED} 1 KB messages; Redis's
	 * {@code used_memory} before the first and once the session's stream holds them all,
	 * and {@code MEMORY USAGE} of that stream.
	 */
	private void memory(BenchServer server, int port, RedisConnectionFactory factory, RedisProcess redisProcess)
			throws Exception {
		int runs = this.bench.runs();
		double[] usedPerByte = new double[runs];
		double[] streamPerByte = new double[runs];
		ByteBuffer payload = ByteBuffer.wrap(filler(KB));
		log("Redis memory, %d unacknowledged 1 KB messages per run", UNACKNOWLEDGED);
		try (RedisConnection redis = factory.getConnection()) {
			for (int r = 0; r < runs; r++) {
				Set<String> streamsBefore = streams(redis);
				try (NonAcknowledgingClient client = NonAcknowledgingClient.connect(port, "/drained")) {
					WebSocketSession session = server.drained().next();
					check(session instanceof ResumableSession, "redis memory run: server session %s", session);
					long usedBefore = usedMemory(redis);
					for (int i = 0; i < UNACKNOWLEDGED; i++) {
						session.sendMessage(new BinaryMessage(payload.duplicate()));
					}
					byte[] stream = awaitStream(redis, streamsBefore);
					long usedAfter = usedMemory(redis);
					long usage = redisProcess.integer("MEMORY", "USAGE", new String(stream, StandardCharsets.UTF_8),
							"SAMPLES", "0");
					long bytes = (long) UNACKNOWLEDGED * KB;
					usedPerByte[r] = (usedAfter - usedBefore) / (double) bytes;
					streamPerByte[r] = usage / (double) bytes;
					log("  run %d/%d: used_memory +%,d bytes, stream %,d bytes for %,d unacknowledged bytes", r + 1,
							runs, usedAfter - usedBefore, usage, bytes);
				}
			}
		}
		this.bench.report().redis().memory(UNACKNOWLEDGED, usedPerByte, streamPerByte);
	}

	private static Set<String> streams(RedisConnection redis) {
		Set<String> names = new HashSet<>();
		Set<byte[]> keys = redis.keyCommands().keys("wsdrain:*:f:*".getBytes(StandardCharsets.UTF_8));
		if (keys != null) {
			keys.forEach((key) -> names.add(new String(key, StandardCharsets.UTF_8)));
		}
		return names;
	}

	/** The new session's stream, once it holds every message sent (bounded in time). */
	private static byte[] awaitStream(RedisConnection redis, Set<String> before) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
		while (System.nanoTime() < deadline) {
			Set<String> now = streams(redis);
			now.removeAll(before);
			if (now.size() == 1) {
				String stream = now.iterator().next();
				// The ID of the stream's newest entry starts with the last sequence written.
				List<ByteRecord> newest = redis.streamCommands()
					.xRevRange(stream.getBytes(StandardCharsets.UTF_8), Range.unbounded(), Limit.limit().count(1));
				long count = (newest == null || newest.isEmpty()) ? 0 : newest.get(0).getId().getTimestamp();
				if (count == UNACKNOWLEDGED) {
					return stream.getBytes(StandardCharsets.UTF_8);
				}
				check(count < UNACKNOWLEDGED, "redis memory run: %d messages written for %d sent", count,
						UNACKNOWLEDGED);
			}
			check(now.size() <= 1, "redis memory run: new streams %s, expected one", now);
			// Polling Redis for the writer's progress: there is nothing else to wait on.
			Thread.sleep(20);
		}
		throw new IllegalStateException("The session's Redis stream did not reach " + UNACKNOWLEDGED + " messages in "
				+ WAIT_SECONDS + " s");
	}

	private static long usedMemory(RedisConnection redis) {
		return Long.parseLong(redis.serverCommands().info("memory").getProperty("used_memory"));
	}

	/**
	 * A raw {@code wsdrain.v1} client: the handshake, then a thread that reads and discards
	 * every frame; it never acknowledges, so everything the server sends stays
	 * unacknowledged. Closing drops the connection without a close frame.
	 */
	static final class NonAcknowledgingClient implements AutoCloseable {

		private final Socket socket;

		private NonAcknowledgingClient(Socket socket) {
			this.socket = socket;
		}

		static NonAcknowledgingClient connect(int port, String path) throws IOException {
			Socket socket = new Socket();
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
			socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
			OutputStream out = socket.getOutputStream();
			out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
					+ "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
					+ "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: wsdrain.v1\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			StringBuilder headers = new StringBuilder();
			while (!headers.toString().endsWith("\r\n\r\n") && headers.length() < 8192) {
				int b = in.read();
				if (b < 0) {
					break;
				}
				headers.append((char) b);
			}
			String response = headers.toString();
			check(response.startsWith("HTTP/1.1 101") && response.toLowerCase().contains("wsdrain.v1"),
					"wsdrain.v1 handshake refused: %s", response);
			Thread reader = new Thread(() -> {
				byte[] buffer = new byte[64 * 1024];
				try {
					while (in.read(buffer) >= 0) {
						// discarded: this client only keeps the connection open and acknowledges nothing
					}
				}
				catch (IOException ex) {
					// the connection is closed: the run is over
				}
			}, "bench-non-acknowledging-client");
			reader.setDaemon(true);
			reader.start();
			return new NonAcknowledgingClient(socket);
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

}

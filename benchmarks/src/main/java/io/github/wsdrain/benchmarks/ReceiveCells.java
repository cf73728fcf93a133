package io.github.wsdrain.benchmarks;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.benchmarks.Bench.Timing;
import io.github.wsdrain.client.BufferedWebSocketClient;
import io.github.wsdrain.server.resume.ResumableSession;
import io.github.wsdrain.session.CloseResult;
import io.github.wsdrain.session.DrainingWebSocketSession;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;

import static io.github.wsdrain.benchmarks.Bench.KB;
import static io.github.wsdrain.benchmarks.Bench.THROUGHPUT_RUNS_FACTOR;
import static io.github.wsdrain.benchmarks.Bench.WAIT_SECONDS;
import static io.github.wsdrain.benchmarks.Bench.await;
import static io.github.wsdrain.benchmarks.Bench.bytes;
import static io.github.wsdrain.benchmarks.Bench.check;
import static io.github.wsdrain.benchmarks.Bench.filler;
import static io.github.wsdrain.benchmarks.Bench.log;
import static io.github.wsdrain.benchmarks.Bench.processCpuNanos;
import static io.github.wsdrain.benchmarks.Bench.requireDraining;

/**
 * The receiving side: wsdrain's buffering client against a plain Spring handler, and
 * {@code wsdrain.v1} against the same client without it, on loopback and through a
 * delayed link.
 */
final class ReceiveCells {

	/** One-way delay of the delaying proxy: a 50 ms round trip, a long-distance link. */
	static final Duration LINK_DELAY = Duration.ofMillis(25);

	private final BenchContext bench;

	ReceiveCells(BenchContext bench) {
		this.bench = bench;
	}

	enum ClientVariant {

		HANDLER("plain Spring `BinaryWebSocketHandler` counting messages"),
		BUFFERED("wsdrain `BufferedWebSocketClient`, consumer thread calling `receive()`");

		final String label;

		ClientVariant(String label) {
			this.label = label;
		}

	}

	/**
	 * Receiving side: the server's draining session on {@code /drained} sends N 1 KB binary
	 * messages from one thread as fast as it can, then {@code closeAsync(NORMAL)}; the client
	 * is either a plain Spring handler or the buffering client, both on Spring's
	 * {@code StandardWebSocketClient}. The two cells run back to back in ABBA order.
	 */
	void client() throws Exception {
		int count = this.bench.quick() ? 8_000 : 32_000;
		StandardWebSocketClient standard = new StandardWebSocketClient();
		BufferedWebSocketClient buffered = new BufferedWebSocketClient(standard);
		List<ClientVariant> pair = List.of(ClientVariant.HANDLER, ClientVariant.BUFFERED);
		int rounds = this.bench.runs() * THROUGHPUT_RUNS_FACTOR;
		log("Client, 1 KB messages, %,d per run; buffering client: %d messages / %s buffered, %s", count,
				buffered.getMaxBufferedMessages(), bytes(buffered.getMaxBufferedBytes().toBytes()), buffered.getOverflowPolicy());
		AbbaPairs.Measured<ClientVariant> measured = AbbaPairs.measure(pair, this.bench.warmups(), rounds, count,
				"  round %d/%d: handler %,.0f/s; buffering client %,.0f/s",
				(variant) -> clientRun(standard, buffered, variant, count));
		this.bench.report().client().record(count, buffered, measured.rates(), measured.cpu());
	}

	private Timing clientRun(StandardWebSocketClient standard, BufferedWebSocketClient buffered, ClientVariant variant,
			int count) throws Exception {
		System.gc();
		URI uri = uri("/drained");
		ClientReceive.Receiver receiver = (variant == ClientVariant.BUFFERED) ? ClientReceive.buffered(buffered, uri, count)
				: ClientReceive.handler(standard, uri, count);
		DrainingWebSocketSession session = requireDraining(this.bench.server().drained().next());
		ByteBuffer payload = ByteBuffer.wrap(filler(KB));
		CountDownLatch start = new CountDownLatch(1);
		Future<CloseResult> send = this.bench.senders().submit(() -> {
			start.await();
			for (int i = 0; i < count; i++) {
				session.sendMessage(new BinaryMessage(payload.duplicate()));
			}
			return session.closeAsync(CloseStatus.NORMAL).get(WAIT_SECONDS, TimeUnit.SECONDS);
		});
		long cpuBefore = processCpuNanos();
		long started = System.nanoTime();
		start.countDown();
		ClientReceive.Result result = await(receiver.result(), "the " + variant + " client to see the close after "
				+ count + " messages");
		long cpuNanos = processCpuNanos() - cpuBefore;
		CloseResult closed = send.get(WAIT_SECONDS, TimeUnit.SECONDS);
		check(result.messages() == count && result.bytes() == (long) count * KB,
				"client run, %s: received %d messages / %d bytes, expected %d / %d", variant, result.messages(),
				result.bytes(), count, (long) count * KB);
		check(result.closeCode() == CloseStatus.NORMAL.getCode(), "client run, %s: close code %d, expected 1000",
				variant, result.closeCode());
		check(closed.dropped() == 0 && !closed.drainTimedOut(), "client run, %s: %s", variant, closed);
		return new Timing(result.lastMessageNanos() - started, cpuNanos);
	}

	// ---------------------------------------------------------------- protocol

	enum ProtocolVariant {

		PLAIN("`BufferedWebSocketClient.connect`, no sub-protocol: a `DrainingWebSocketSession` on the server"),
		ACKNOWLEDGED("`BufferedWebSocketClient` with `setReliable(true)` (`connectReliable`): `wsdrain.v1`, "
				+ "numbered data frames and acknowledgements, a `ResumableSession` on the server");

		final String label;

		ProtocolVariant(String label) {
			this.label = label;
		}

	}

	/**
	 * Cost of {@code wsdrain.v1}: the server on {@code /drained} sends N 1 KB binary
	 * messages from one thread, then {@code closeAsync(NORMAL)}, to the buffering client
	 * without the protocol and with it; same consumer thread calling {@code receive()}.
	 * ABBA pairs for messages/s; then one run of each through a {@link LoopbackProxy} for
	 * the bytes on the wire both ways.
	 */
	void protocol() throws Exception {
		int count = this.bench.quick() ? 5_000 : 20_000;
		StandardWebSocketClient standard = new StandardWebSocketClient();
		BufferedWebSocketClient plain = new BufferedWebSocketClient(standard);
		BufferedWebSocketClient acknowledged = new BufferedWebSocketClient(standard);
		acknowledged.setReliable(true);
		Map<ProtocolVariant, BufferedWebSocketClient> clients = Map.of(ProtocolVariant.PLAIN, plain,
				ProtocolVariant.ACKNOWLEDGED, acknowledged);
		List<ProtocolVariant> pair = List.of(ProtocolVariant.PLAIN, ProtocolVariant.ACKNOWLEDGED);
		int rounds = this.bench.runs() * THROUGHPUT_RUNS_FACTOR;
		log("Protocol, 1 KB messages, %,d per run, without and with wsdrain.v1", count);
		AbbaPairs.Measured<ProtocolVariant> measured = AbbaPairs.measure(pair, this.bench.warmups(), rounds, count,
				"  round %d/%d: without %,.0f/s; wsdrain.v1 %,.0f/s",
				(variant) -> protocolRun(clients.get(variant), variant, count, uri("/drained")));
		Map<ProtocolVariant, LoopbackProxy.Bytes> wire = new LinkedHashMap<>();
		for (ProtocolVariant variant : pair) {
			try (LoopbackProxy proxy = new LoopbackProxy(this.bench.port())) {
				protocolRun(clients.get(variant), variant, count,
						URI.create("ws://127.0.0.1:" + proxy.port() + "/drained"));
				wire.put(variant, proxy.bytes(WAIT_SECONDS));
			}
			log("  wire, %s: %,d bytes to the client, %,d to the server", variant, wire.get(variant).toClient(),
					wire.get(variant).toServer());
		}
		this.bench.report().protocol().record(count, measured.rates(), measured.cpu(), wire);
		protocolDelayed(clients, pair, count);
	}

	/**
	 * The same pairs through a delayed {@link LoopbackProxy}: where the window above TCP, not the
	 * CPU, decides what one session can move.
	 */
	private void protocolDelayed(Map<ProtocolVariant, BufferedWebSocketClient> clients, List<ProtocolVariant> pair,
			int count) throws Exception {
		int rounds = this.bench.quick() ? 2 : 2 * this.bench.runs();
		log("Protocol through a link delayed %d ms each way, 1 KB messages, %,d per run", LINK_DELAY.toMillis(), count);
		try (LoopbackProxy proxy = new LoopbackProxy(this.bench.port(), LINK_DELAY)) {
			URI delayed = URI.create("ws://127.0.0.1:" + proxy.port() + "/drained");
			AbbaPairs.Measured<ProtocolVariant> measured = AbbaPairs.measure(pair, 1, rounds, count,
					"  round %d/%d: without %,.0f/s; wsdrain.v1 %,.0f/s",
					(variant) -> protocolRun(clients.get(variant), variant, count, delayed));
			this.bench.report().protocol().delayed(count, LINK_DELAY, measured.rates());
		}
	}

	private Timing protocolRun(BufferedWebSocketClient client, ProtocolVariant variant, int count, URI uri)
			throws Exception {
		return protocolRun(client, variant, count, this.bench.server(), uri);
	}

	/**
	 * One protocol run against the given server (another resume store, for instance): the
	 * server sends {@code count} 1 KB messages, then closes; every message, the close code
	 * and the server's {@code CloseResult} are checked.
	 */
	Timing protocolRun(BufferedWebSocketClient client, ProtocolVariant variant, int count, BenchServer server, URI uri)
			throws Exception {
		System.gc();
		ClientReceive.Receiver receiver = ClientReceive.buffered(client, uri, count);
		WebSocketSession session = server.drained().next();
		boolean resumable = session instanceof ResumableSession;
		check(resumable == (variant == ProtocolVariant.ACKNOWLEDGED), "protocol run, %s: server session %s", variant,
				session);
		ByteBuffer payload = ByteBuffer.wrap(filler(KB));
		CountDownLatch start = new CountDownLatch(1);
		Future<CloseResult> send = this.bench.senders().submit(() -> {
			start.await();
			for (int i = 0; i < count; i++) {
				session.sendMessage(new BinaryMessage(payload.duplicate()));
			}
			CompletableFuture<CloseResult> closing = resumable
					? ((ResumableSession) session).closeAsync(CloseStatus.NORMAL)
					: requireDraining(session).closeAsync(CloseStatus.NORMAL);
			return closing.get(WAIT_SECONDS, TimeUnit.SECONDS);
		});
		long cpuBefore = processCpuNanos();
		long started = System.nanoTime();
		start.countDown();
		ClientReceive.Result result = await(receiver.result(),
				"the " + variant + " client to see the close after " + count + " messages");
		long cpuNanos = processCpuNanos() - cpuBefore;
		CloseResult closed = send.get(WAIT_SECONDS, TimeUnit.SECONDS);
		check(result.messages() == count && result.bytes() == (long) count * KB,
				"protocol run, %s: received %d messages / %d bytes, expected %d / %d", variant, result.messages(),
				result.bytes(), count, (long) count * KB);
		check(result.closeCode() == CloseStatus.NORMAL.getCode(), "protocol run, %s: close code %d, expected 1000",
				variant, result.closeCode());
		check(closed.dropped() == 0 && !closed.drainTimedOut() && closed.unacknowledged() == 0,
				"protocol run, %s: %s", variant, closed);
		return new Timing(result.lastMessageNanos() - started, cpuNanos);
	}

	private URI uri(String path) {
		return this.bench.uri(path);
	}

}

package io.github.wsdrain.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.session.DrainSettings;
import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.session.SendOverflowPolicy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;

/**
 * JMH micro cell: what one {@code sendMessage} of a 1 KB binary message costs through
 * each decorator around a {@link SinkSession} (no network, no client), on the threads
 * JMH runs it on. {@link MicroCells} runs it and folds the scores into the report.
 */
@State(Scope.Benchmark)
public class DecoratorCost {

	/** {@code PLAIN}: the session called directly; {@code SPRING}; {@code WSDRAIN}. */
	@Param({ "PLAIN", "SPRING", "WSDRAIN" })
	public String variant;

	private DrainingSessionRegistry registry;

	private SinkSession sink;

	private WebSocketSession session;

	private BinaryMessage message;

	@Setup(Level.Trial)
	public void open() {
		DrainSettings unbounded = new DrainSettings(DataSize.ofGigabytes(8), Duration.ofSeconds(10),
				SendOverflowPolicy.BLOCK, Duration.ofSeconds(10));
		this.registry = new DrainingSessionRegistry(unbounded, List.of());
		this.sink = new SinkSession();
		this.session = switch (this.variant) {
			case "PLAIN" -> this.sink;
			case "SPRING" -> new ConcurrentWebSocketSessionDecorator(this.sink, 10_000, Integer.MAX_VALUE);
			case "WSDRAIN" -> this.registry.drainingSession(this.sink);
			default -> throw new IllegalArgumentException("Unknown variant " + this.variant);
		};
		this.message = new BinaryMessage(Bench.filler(1024));
	}

	@Benchmark
	public void sendMessage() throws IOException {
		this.session.sendMessage(this.message);
	}

	@TearDown(Level.Trial)
	public void close() throws Exception {
		this.session.close(CloseStatus.NORMAL);
		if (this.session instanceof DrainingWebSocketSession draining) {
			draining.getCloseFuture().get();
		}
		this.registry.destroy();
		if (this.sink.messages() == 0) {
			throw new IllegalStateException(this.variant + ": no message reached the session");
		}
	}

}

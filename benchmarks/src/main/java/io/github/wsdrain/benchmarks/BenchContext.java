package io.github.wsdrain.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.concurrent.ExecutorService;

import io.github.wsdrain.server.DrainingSessionRegistry;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * One benchmark run as the cells see it: its settings, the server under test and what
 * the cells share.
 *
 * @param runs measured runs per cell
 * @param warmups unmeasured runs before them
 * @param quick whether sizes are reduced (development only)
 * @param context the server's application context
 * @param server the server's endpoints
 * @param registry the server's draining sessions
 * @param metering registries with and without metrics, for the cost of metrics; the one
 * without is also {@link #withoutBarrier()}
 * @param port the server's port on 127.0.0.1
 * @param httpClient the JDK client for WebSocket connections
 * @param senders the threads that send
 * @param report where the cells put what they measured
 */
record BenchContext(int runs, int warmups, boolean quick, ConfigurableApplicationContext context, BenchServer server,
		DrainingSessionRegistry registry, Metering metering, int port, HttpClient httpClient, ExecutorService senders,
		Report report) {

	URI uri(String path) {
		return URI.create("ws://127.0.0.1:" + this.port + path);
	}

	/**
	 * Draining sessions with the server's settings but the close barrier off, and no
	 * listener, for {@code /plain}'s sessions: the cells that compare a close without the
	 * barrier (and the metrics cells' baseline).
	 */
	DrainingSessionRegistry withoutBarrier() {
		return this.metering.unmetered();
	}

}

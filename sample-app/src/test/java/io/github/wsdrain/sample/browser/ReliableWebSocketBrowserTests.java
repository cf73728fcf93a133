package io.github.wsdrain.sample.browser;

import java.time.Duration;

import io.github.wsdrain.sample.SampleApplication;
import io.github.wsdrain.server.ServerSelection;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code wsdrain.js} in a real headless Chromium, the page and its WebSockets going
 * through a proxy that resets every connection 300–900 ms after it opened, from the first
 * handshake on. The server's heartbeat is 250 ms, so a silent path is noticed within 0.5 s.
 */
@SpringBootTest(classes = SampleApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { ServerSelection.TOMCAT, "wsdrain.server.resume.heartbeat=250ms" })
class ReliableWebSocketBrowserTests extends AbstractBrowserTests {

	private static final String FAST_RECONNECT = "reconnect: { initialDelay: 100, maxDelay: 1000 }";

	private static final Duration SCENARIO_TIMEOUT = Duration.ofSeconds(90);

	@BeforeEach
	void installHarness() {
		tab().evaluate(Harness.INSTALL);
	}

	/** 20,000 then 1,000 messages, every connection cut after 300–900 ms: 0 lost, 0 duplicated, in order. */
	@Test
	void aFeedOf20000Then1000ArrivesExactlyOnceInOrderWhileEveryConnectionIsCut() {
		proxy().cutEachAfter(Duration.ofMillis(300), Duration.ofMillis(900));

		JsonNode big = feed("big", 20_000);
		JsonNode small = feed("small", 1_000);

		assertThat(big.get("reconnects").asInt()).isPositive();
	}

	private JsonNode feed(String name, int count) {
		tab().evaluate(Harness.start(name, "/demo/feed?count=" + count + "&size=64&rate=10000",
				"{ " + FAST_RECONNECT + " }"));
		tab().waitFor(Harness.run(name) + ".close !== null", SCENARIO_TIMEOUT);
		JsonNode run = tab().json(Harness.run(name));
		assertThat(run.get("received").asInt()).as("received").isEqualTo(count);
		assertThat(run.get("duplicates").asInt()).as("duplicates").isZero();
		assertThat(run.get("outOfOrder").asInt()).as("out of order").isZero();
		assertThat(run.get("close").asInt()).as("close code").isEqualTo(1000);
		assertThat(run.get("protocol").asString()).isEqualTo("wsdrain.v1");
		assertThat(run.get("notrecovered").asInt()).isZero();
		return run;
	}

	/** 3,000 messages to /demo/echo and back, every connection cut after 300–900 ms: each once, in order, both ways. */
	@Test
	void anEchoOf3000MessagesArrivesExactlyOnceInOrderBothWaysWhileEveryConnectionIsCut() {
		proxy().cutEachAfter(Duration.ofMillis(300), Duration.ofMillis(900));
		tab().evaluate(Harness.start("echo", "/demo/echo", "{ " + FAST_RECONNECT + " }"));
		// Ten messages every 10 ms: the exchange takes about 3 s and spans several cuts.
		tab().evaluate("window.sendPaced('echo', 3000)");

		tab().waitFor(Harness.run("echo") + ".received >= 3000", SCENARIO_TIMEOUT);
		tab().evaluate("window.sockets['echo'].close(1000, 'done')");
		tab().waitFor(Harness.run("echo") + ".close !== null", SCENARIO_TIMEOUT);

		JsonNode run = tab().json(Harness.run("echo"));
		// The echo numbers what the server delivered: one echo each, in order, means every
		// message of the page reached the app once, in order.
		assertThat(run.get("received").asInt()).isEqualTo(3000);
		assertThat(run.get("last").asInt()).isEqualTo(2999);
		assertThat(run.get("duplicates").asInt()).isZero();
		assertThat(run.get("outOfOrder").asInt()).isZero();
		assertThat(run.get("close").asInt()).isEqualTo(1000);
		assertThat(run.get("reconnects").asInt()).isPositive();
	}

	/** The first three handshakes are reset: the first connection is retried and the 1,000 messages arrive. */
	@Test
	void aFirstConnectionWhoseHandshakesFailIsRetriedUntilItOpens() {
		proxy().resetNext(3);

		JsonNode run = feed("first", 1_000);

		assertThat(run.get("opens").toString()).isEqualTo("[false]");
	}

	/** A path that stops forwarding without a reset is noticed by the heartbeat and resumed: 2,000 messages, 0 lost. */
	@Test
	void theHeartbeatNoticesAProxyThatSilentlyStopsForwardingAndTheFeedResumes() {
		tab().evaluate(Harness.start("quiet", "/demo/feed?count=2000&size=64&rate=1000",
				"{ heartbeatTimeout: 500, " + FAST_RECONNECT + " }"));
		tab().waitFor(Harness.run("quiet") + ".received >= 300", SCENARIO_TIMEOUT);

		proxy().silence();

		tab().waitFor(Harness.run("quiet") + ".close !== null", SCENARIO_TIMEOUT);
		JsonNode run = tab().json(Harness.run("quiet"));
		assertThat(run.get("reconnects").asInt()).isPositive();
		assertThat(run.get("received").asInt()).isEqualTo(2000);
		assertThat(run.get("duplicates").asInt()).isZero();
		assertThat(run.get("outOfOrder").asInt()).isZero();
		assertThat(run.get("close").asInt()).isEqualTo(1000);
	}

	/** Against an endpoint that does not select wsdrain.v1 (STOMP), it is a plain WebSocket: a STOMP exchange works. */
	@Test
	void overAStompEndpointItIsAPlainWebSocketThatCarriesStomp() {
		tab().evaluate(Harness.start("stomp", "/demo/stomp", "{ protocols: ['v12.stomp'] }")
				+ ".then(() => { window.runs.stomp.keep = true; })");
		tab().waitFor(Harness.run("stomp") + ".opens.length === 1", SCENARIO_TIMEOUT);
		tab().evaluate("""
				(() => {
				  const ws = window.sockets.stomp;
				  ws.send("CONNECT\\naccept-version:1.2\\nhost:localhost\\n\\n\\0");
				  ws.send("SUBSCRIBE\\nid:sub-0\\ndestination:/topic/echo\\n\\n\\0");
				  ws.send("SEND\\ndestination:/app/echo\\ncontent-type:text/plain\\n\\nhello from the browser\\0");
				  return true;
				})()""");

		tab().waitFor(Harness.run("stomp") + ".messages.some((m) => m.startsWith('MESSAGE'))", SCENARIO_TIMEOUT);
		JsonNode run = tab().json(Harness.run("stomp"));
		assertThat(run.get("protocol").asString()).isEqualTo("v12.stomp");
		assertThat(run.get("messages").get(0).asString()).startsWith("CONNECTED");
		assertThat(run.toString()).contains("hello from the browser");
	}

}

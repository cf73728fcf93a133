package io.github.wsdrain.sample;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the page at {@code /} asks the server, besides the Actuator's drain: the outcome of
 * the latest burst on each side, and, sample only, the end of every {@code /plain/stream}
 * connection without a close frame, which is what stock Spring's connections get at
 * shutdown (the connectors close their sockets before the app can say goodbye).
 */
@RestController
class SamplePageController {

	private final BurstHandler demoBurstHandler;

	private final BurstHandler plainBurstHandler;

	private final StreamHandler plainStreamHandler;

	private final TransportCuts cuts;

	SamplePageController(BurstHandler demoBurstHandler, BurstHandler plainBurstHandler,
			StreamHandler plainStreamHandler, TransportCuts cuts) {
		this.demoBurstHandler = demoBurstHandler;
		this.plainBurstHandler = plainBurstHandler;
		this.plainStreamHandler = plainStreamHandler;
		this.cuts = cuts;
	}

	@GetMapping("/sample/bursts")
	Map<String, Object> bursts() {
		Map<String, Object> bursts = new LinkedHashMap<>();
		bursts.put("plain", this.plainBurstHandler.lastOutcome());
		bursts.put("demo", this.demoBurstHandler.lastOutcome());
		return bursts;
	}

	@PostMapping("/sample/plain-streams/cut")
	Map<String, Integer> cutPlainStreams() {
		return Map.of("cut", this.cuts.cutAll(this.plainStreamHandler.connections()));
	}

}

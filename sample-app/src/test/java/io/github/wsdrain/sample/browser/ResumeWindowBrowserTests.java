package io.github.wsdrain.sample.browser;

import java.time.Duration;

import io.github.wsdrain.sample.SampleApplication;
import io.github.wsdrain.sample.TransportCuts;
import io.github.wsdrain.server.ServerSelection;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code notrecovered} in a real headless Chromium: the path to the page goes silent and
 * the server ends its side of the socket, so the server keeps the session for its 1 s
 * window while the page only notices after its 3 s heartbeat timeout, resumes too late,
 * and is told so. It goes on with a new session.
 */
@SpringBootTest(classes = SampleApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { ServerSelection.TOMCAT, "wsdrain.server.resume.heartbeat=250ms",
				"wsdrain.server.resume.window=1s" })
class ResumeWindowBrowserTests extends AbstractBrowserTests {

	@Autowired
	private TransportCuts cuts;

	@Test
	void aResumeAfterTheWindowPassedIsNotRecoveredAndANewSessionStarts() throws Exception {
		Tab tab = tab();
		tab.evaluate(Harness.INSTALL);
		tab.evaluate(Harness.start("late", "/demo/echo", "{ heartbeatTimeout: 3000 }"));
		tab.evaluate("window.sendAll('late', 10)");
		tab.waitFor(Harness.run("late") + ".received === 10", Duration.ofSeconds(30));

		// The page's side goes silent first, so it does not see the server's end of the socket.
		proxy().silence();
		assertThat(this.cuts.cutPath("/demo/echo")).isEqualTo(1);

		tab.waitFor(Harness.run("late") + ".notrecovered === 1 && " + Harness.run("late") + ".opens.length === 2",
				Duration.ofSeconds(30));
		tab.evaluate("window.sockets.late.send('10|after')");
		tab.waitFor(Harness.run("late") + ".received === 11", Duration.ofSeconds(30));
		JsonNode run = tab.json(Harness.run("late"));
		assertThat(run.get("opens").toString()).isEqualTo("[false,false]");
		assertThat(run.get("reconnects").asInt()).isZero();
		assertThat(run.get("close").isNull()).isTrue();
	}

}

package io.github.wsdrain.server.resume;

import io.github.wsdrain.server.ServerSelection;
import io.github.wsdrain.testsupport.ResumeTestApplication;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The same 50 ms round trip with the server on Jetty: more than 1 MB in flight, and 4
 * stalled sessions within 4 × 1 MB plus the 1 MB budget.
 */
@SpringBootTest(classes = ResumeTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { ServerSelection.JETTY, "wsdrain.server.resume.shared-buffer-size=1MB",
				"wsdrain.server.send-time-limit=60s" })
class JettyReplayCapacityOverDelayedLinkTests extends ReplayCapacityOverDelayedLinkTests {

}

package io.github.wsdrain.client;

import io.github.wsdrain.server.ServerSelection;

import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The same faults with the server on Jetty: 20 sessions × 10,000 messages each way,
 * exactly once, in order.
 */
@SpringBootTest(classes = ReliableDeliveryFaultInjectionTests.BothWaysApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { ServerSelection.JETTY, "wsdrain.server.resume.ack-timeout=60s" })
class JettyReliableDeliveryFaultInjectionTests extends ReliableDeliveryFaultInjectionTests {

}

package io.github.wsdrain.server.stall;

import io.github.wsdrain.server.ServerSelection;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link HealthyNextToStalledTests} on Jetty.
 */
@TestPropertySource(properties = ServerSelection.JETTY)
class JettyHealthyNextToStalledTests extends HealthyNextToStalledTests {

}

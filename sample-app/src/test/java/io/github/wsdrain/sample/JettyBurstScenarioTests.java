package io.github.wsdrain.sample;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link BurstScenarioTests} on Jetty.
 */
@TestPropertySource(properties = ServerSelection.JETTY)
class JettyBurstScenarioTests extends BurstScenarioTests {

}

package io.github.wsdrain.sample;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link BurstScenarioTests} on Tomcat.
 */
@TestPropertySource(properties = ServerSelection.TOMCAT)
class TomcatBurstScenarioTests extends BurstScenarioTests {

}

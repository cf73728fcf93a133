package io.github.wsdrain.server.stall;

import io.github.wsdrain.server.ServerSelection;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link HealthyNextToStalledTests} on Tomcat.
 */
@TestPropertySource(properties = ServerSelection.TOMCAT)
class TomcatHealthyNextToStalledTests extends HealthyNextToStalledTests {

}

package io.github.wsdrain.server;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link DrainingSessionTests} on Tomcat.
 */
@TestPropertySource(properties = ServerSelection.TOMCAT)
class TomcatDrainingSessionTests extends DrainingSessionTests {

}

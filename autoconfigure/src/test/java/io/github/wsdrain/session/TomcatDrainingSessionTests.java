package io.github.wsdrain.session;

import io.github.wsdrain.server.ServerSelection;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link DrainingSessionTests} on Tomcat.
 */
@TestPropertySource(properties = ServerSelection.TOMCAT)
class TomcatDrainingSessionTests extends DrainingSessionTests {

}

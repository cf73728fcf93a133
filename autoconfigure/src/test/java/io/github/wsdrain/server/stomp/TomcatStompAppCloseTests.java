package io.github.wsdrain.server.stomp;

import io.github.wsdrain.server.ServerSelection;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link StompAppCloseTests} on Tomcat.
 */
@TestPropertySource(properties = ServerSelection.TOMCAT)
class TomcatStompAppCloseTests extends StompAppCloseTests {

}

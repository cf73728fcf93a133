package io.github.wsdrain.server.stomp;

import io.github.wsdrain.server.ServerSelection;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link StompDrainTests} on Jetty.
 */
@TestPropertySource(properties = ServerSelection.JETTY)
class JettyStompDrainTests extends StompDrainTests {

}

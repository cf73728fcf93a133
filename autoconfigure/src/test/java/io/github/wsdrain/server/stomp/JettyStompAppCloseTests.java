package io.github.wsdrain.server.stomp;

import io.github.wsdrain.server.ServerSelection;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link StompAppCloseTests} on Jetty.
 */
@TestPropertySource(properties = ServerSelection.JETTY)
class JettyStompAppCloseTests extends StompAppCloseTests {

}

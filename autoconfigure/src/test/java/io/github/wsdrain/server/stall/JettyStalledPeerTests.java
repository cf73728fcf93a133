package io.github.wsdrain.server.stall;

import io.github.wsdrain.server.ServerSelection;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link StalledPeerTests} on Jetty.
 */
@TestPropertySource(properties = ServerSelection.JETTY)
class JettyStalledPeerTests extends StalledPeerTests {

}

package io.github.wsdrain.server.barrier;

import io.github.wsdrain.server.ServerSelection;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link ManySessionsCloseTests} on Jetty.
 */
@TestPropertySource(properties = ServerSelection.JETTY)
class JettyManySessionsCloseTests extends ManySessionsCloseTests {

}

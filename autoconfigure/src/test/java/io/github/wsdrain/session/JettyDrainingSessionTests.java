package io.github.wsdrain.session;

import io.github.wsdrain.server.ServerSelection;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link DrainingSessionTests} on Jetty.
 */
@TestPropertySource(properties = ServerSelection.JETTY)
class JettyDrainingSessionTests extends DrainingSessionTests {

}

package io.github.wsdrain.server;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link DrainingSessionTests} on Jetty.
 */
@TestPropertySource(properties = ServerSelection.JETTY)
class JettyDrainingSessionTests extends DrainingSessionTests {

}

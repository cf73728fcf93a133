package io.github.wsdrain.server.stomp;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link StompDrainTests} on Tomcat.
 */
@TestPropertySource(properties = "spring.autoconfigure.exclude="
		+ "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration")
class TomcatStompDrainTests extends StompDrainTests {

}

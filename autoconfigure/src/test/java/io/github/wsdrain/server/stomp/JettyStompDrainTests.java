package io.github.wsdrain.server.stomp;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link StompDrainTests} on Jetty.
 */
@TestPropertySource(properties = "spring.autoconfigure.exclude="
		+ "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration")
class JettyStompDrainTests extends StompDrainTests {

}

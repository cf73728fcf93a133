package io.github.wsdrain.server;

/**
 * Properties that pick the embedded server when both Tomcat and Jetty are on the test
 * class path.
 */
final class ServerSelection {

	static final String TOMCAT = "spring.autoconfigure.exclude="
			+ "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration";

	static final String JETTY = "spring.autoconfigure.exclude="
			+ "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration";

	private ServerSelection() {
	}

}

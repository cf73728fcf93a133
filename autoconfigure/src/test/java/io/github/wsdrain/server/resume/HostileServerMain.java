package io.github.wsdrain.server.resume;

import io.github.wsdrain.server.ServerSelection;
import io.github.wsdrain.testsupport.ResumeTestApplication;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Runs {@link ResumeTestApplication} on Tomcat in a JVM of its own, for tests that need
 * a small heap; prints {@code PORT=<port>} once it accepts connections.
 */
final class HostileServerMain {

	static final String PORT_LINE = "PORT=";

	private HostileServerMain() {
	}

	public static void main(String[] args) {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(ResumeTestApplication.class)
			.properties(ServerSelection.TOMCAT, "server.port=0", "wsdrain.server.resume.window=10m")
			.run(args);
		System.out.println(PORT_LINE + context.getEnvironment().getProperty("local.server.port"));
	}

}

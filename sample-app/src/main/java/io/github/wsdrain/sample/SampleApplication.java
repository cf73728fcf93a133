package io.github.wsdrain.sample;

import java.util.Arrays;

import io.github.wsdrain.sample.client.SampleClientMode;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Sample application: every wsdrain feature under {@code /demo/…}, the same handlers
 * under {@code /plain/…} with stock Spring, and a client mode for the terminal.
 */
@SpringBootApplication
public class SampleApplication {

	static final String CLIENT_URL_ARGUMENT = "--wsdrain.sample.client.url=";

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(SampleApplication.class);
		if (isClientMode(args)) {
			// The client mode only connects out: starting a web server would take a port for nothing.
			application.setWebApplicationType(WebApplicationType.NONE);
			System.exit(SampleClientMode.run(application, args, System.out));
		}
		application.run(args);
	}

	static boolean isClientMode(String[] args) {
		return Arrays.stream(args).anyMatch((arg) -> arg.startsWith(CLIENT_URL_ARGUMENT));
	}

}

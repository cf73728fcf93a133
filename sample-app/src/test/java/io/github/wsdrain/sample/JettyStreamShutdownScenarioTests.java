package io.github.wsdrain.sample;

/**
 * {@link StreamShutdownScenarioTests} on Jetty.
 */
class JettyStreamShutdownScenarioTests extends StreamShutdownScenarioTests {

	@Override
	String serverSelection() {
		return ServerSelection.JETTY;
	}

}

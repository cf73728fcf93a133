package io.github.wsdrain.sample;

/**
 * {@link StreamShutdownScenarioTests} on Tomcat.
 */
class TomcatStreamShutdownScenarioTests extends StreamShutdownScenarioTests {

	@Override
	String serverSelection() {
		return ServerSelection.TOMCAT;
	}

}

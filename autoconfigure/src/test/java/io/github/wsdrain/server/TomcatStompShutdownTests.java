package io.github.wsdrain.server;

/**
 * {@link StompShutdownTests} on Tomcat.
 */
class TomcatStompShutdownTests extends StompShutdownTests {

	@Override
	String serverSelection() {
		return ServerSelection.TOMCAT;
	}

}

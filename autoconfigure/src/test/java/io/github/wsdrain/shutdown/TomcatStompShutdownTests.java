package io.github.wsdrain.shutdown;

import io.github.wsdrain.server.ServerSelection;

/**
 * {@link StompShutdownTests} on Tomcat.
 */
class TomcatStompShutdownTests extends StompShutdownTests {

	@Override
	String serverSelection() {
		return ServerSelection.TOMCAT;
	}

}

package io.github.wsdrain.shutdown;

import io.github.wsdrain.server.ServerSelection;

/**
 * {@link StompShutdownTests} on Jetty.
 */
class JettyStompShutdownTests extends StompShutdownTests {

	@Override
	String serverSelection() {
		return ServerSelection.JETTY;
	}

}

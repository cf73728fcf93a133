package io.github.wsdrain.server;

/**
 * {@link StompShutdownTests} on Jetty.
 */
class JettyStompShutdownTests extends StompShutdownTests {

	@Override
	String serverSelection() {
		return ServerSelection.JETTY;
	}

}

package io.github.wsdrain.autoconfigure;

import io.github.wsdrain.client.BufferedWebSocketClient;

/**
 * Callback to customize the auto-configured {@link BufferedWebSocketClient} after the
 * {@code wsdrain.client.*} properties have been applied.
 */
@FunctionalInterface
public interface BufferedWebSocketClientCustomizer {

	/**
	 * Customize the client.
	 * @param client the client to customize
	 */
	void customize(BufferedWebSocketClient client);

}

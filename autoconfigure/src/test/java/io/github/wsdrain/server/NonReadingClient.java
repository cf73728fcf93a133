package io.github.wsdrain.server;

import java.io.IOException;

import io.github.wsdrain.testsupport.RawWebSocketClient;

/**
 * A WebSocket client that completes the handshake and then reads nothing, with a tiny
 * receive buffer: the peer that makes a server's writes block.
 */
public final class NonReadingClient implements AutoCloseable {

	private final RawWebSocketClient client;

	private NonReadingClient(RawWebSocketClient client) {
		this.client = client;
	}

	public static NonReadingClient connect(int port, String path, String... protocols) throws IOException {
		return new NonReadingClient(RawWebSocketClient.connect(port, path, 1024, protocols));
	}

	@Override
	public void close() throws IOException {
		this.client.close();
	}

}

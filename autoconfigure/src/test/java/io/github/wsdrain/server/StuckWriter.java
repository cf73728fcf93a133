package io.github.wsdrain.server;

import io.github.wsdrain.session.DrainingWebSocketSession;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import org.springframework.web.socket.BinaryMessage;

import static org.awaitility.Awaitility.await;

/**
 * Makes a draining session's writer block on a peer that does not read: one message far
 * larger than the kernel's socket buffers on loopback, sent from another thread.
 */
public final class StuckWriter {

	private static final int MESSAGE_BYTES = 48 * 1024 * 1024;

	private StuckWriter() {
	}

	/**
	 * Start the write and wait until the writer has taken the message off the queue.
	 * @param senders runs the write
	 * @param session the session whose peer does not read
	 * @return the write, done once the connection ends
	 */
	public static Future<?> start(ExecutorService senders, DrainingWebSocketSession session) {
		long accepted = session.getAcceptedMessages();
		Future<?> write = senders.submit(() -> {
			session.sendMessage(new BinaryMessage(new byte[MESSAGE_BYTES]));
			return null;
		});
		await().until(() -> session.getAcceptedMessages() == accepted + 1 && session.getQueuedMessages() == 0);
		return write;
	}

}

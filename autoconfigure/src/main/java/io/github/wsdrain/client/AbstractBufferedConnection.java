package io.github.wsdrain.client;

import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.util.Assert;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketMessage;

/**
 * What plain and reliable connections share: the URI and settings they were opened with,
 * a close that runs once (later callers wait for it), and the counts of their
 * {@link ReceiveCounts receive side}.
 */
abstract class AbstractBufferedConnection implements BufferedWebSocketConnection {

	final URI uri;

	/** The client's settings when the connection was opened: kept for its whole life. */
	final ConnectionSettings settings;

	private final AtomicBoolean closeStarted = new AtomicBoolean();

	private final CountDownLatch closeDone = new CountDownLatch(1);

	AbstractBufferedConnection(URI uri, ConnectionSettings settings) {
		this.uri = uri;
		this.settings = settings;
	}

	/** What {@link #getBufferedMessages()} and the other counts read, at one moment. */
	abstract ReceiveCounts receiveCounts();

	/** Close the connection: runs once, on the first {@link #close(CloseStatus)}. */
	abstract void closeOnce(CloseStatus status);

	@Override
	public final WebSocketMessage<?> receive() throws InterruptedException {
		return receive(this.settings.receiveTimeout());
	}

	/** The first call closes; any other waits until that close is done. */
	@Override
	public final void close(CloseStatus status) {
		Assert.notNull(status, "CloseStatus must not be null");
		if (!this.closeStarted.compareAndSet(false, true)) {
			awaitCloseDone();
			return;
		}
		try {
			closeOnce(status);
		}
		finally {
			this.closeDone.countDown();
		}
	}

	/** Whether {@link #close(CloseStatus)} has been called. */
	final boolean isCloseStarted() {
		return this.closeStarted.get();
	}

	private void awaitCloseDone() {
		try {
			this.closeDone.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public final URI getUri() {
		return this.uri;
	}

	@Override
	public final int getBufferedMessages() {
		return receiveCounts().bufferedMessages();
	}

	@Override
	public final long getBufferedBytes() {
		return receiveCounts().bufferedBytes();
	}

	@Override
	public final int getPeakBufferedMessages() {
		return receiveCounts().peakBufferedMessages();
	}

	@Override
	public final long getPeakBufferedBytes() {
		return receiveCounts().peakBufferedBytes();
	}

	@Override
	public final long getReceivedMessages() {
		return receiveCounts().receivedMessages();
	}

	@Override
	public final long getDroppedMessages() {
		return receiveCounts().droppedMessages();
	}

}

package io.github.wsdrain.client;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The connections a client opened, for {@link ConnectionTotals}. Ended connections are
 * retired when a connection is added and when totals are read: their final counts are
 * added to retired totals, so that memory stays bounded by the live connections whether
 * or not anyone reads the totals.
 * <p>
 * One lock guards the lists and the retired totals, so that a connection moving from
 * one to the other is never counted twice or missed by a concurrent read. It is held
 * only while adding and while reading totals, never on a connection's message path.
 */
final class OpenedConnections {

	private final Object lock = new Object();

	private final List<BufferedWebSocketConnection> live = new ArrayList<>();

	/**
	 * Ended connections with messages left to receive, for the buffered gauges. Held
	 * weakly: a connection closed and dropped by the app with a full buffer must not stay
	 * in memory for the gauges' sake.
	 */
	private final List<WeakReference<BufferedWebSocketConnection>> draining = new ArrayList<>();

	private long retiredDropped;

	private long retiredReconnects;

	private long retiredDuplicates;

	void add(BufferedWebSocketConnection connection) {
		synchronized (this.lock) {
			retireEnded();
			this.live.add(connection);
		}
	}

	/** The connections not yet ended. */
	List<BufferedWebSocketConnection> open() {
		synchronized (this.lock) {
			retireEnded();
			return List.copyOf(this.live);
		}
	}

	ConnectionTotals totals() {
		synchronized (this.lock) {
			retireEnded();
			int open = 0;
			long bufferedMessages = 0;
			long bufferedBytes = 0;
			long dropped = this.retiredDropped;
			long reconnects = this.retiredReconnects;
			long duplicates = this.retiredDuplicates;
			for (BufferedWebSocketConnection connection : this.live) {
				open += connection.isClosed() ? 0 : 1;
				bufferedMessages += connection.getBufferedMessages();
				bufferedBytes += connection.getBufferedBytes();
				dropped += connection.getDroppedMessages();
				if (connection instanceof ReliableWebSocketConnection reliable) {
					reconnects += reliable.getReconnects();
					duplicates += reliable.getDuplicates();
				}
			}
			for (WeakReference<BufferedWebSocketConnection> reference : this.draining) {
				BufferedWebSocketConnection connection = reference.get();
				if (connection != null) {
					bufferedMessages += connection.getBufferedMessages();
					bufferedBytes += connection.getBufferedBytes();
				}
			}
			return new ConnectionTotals(open, bufferedMessages, bufferedBytes, dropped, reconnects, duplicates);
		}
	}

	/**
	 * Fold ended connections into the retired totals. A frame the container still
	 * delivers after that (it would be counted as a drop on the connection) is not seen
	 * here: a rare undercount, never a counter going down.
	 */
	private void retireEnded() {
		for (Iterator<BufferedWebSocketConnection> iterator = this.live.iterator(); iterator.hasNext();) {
			BufferedWebSocketConnection connection = iterator.next();
			if (connection.isClosed()) {
				this.retiredDropped += connection.getDroppedMessages();
				if (connection instanceof ReliableWebSocketConnection reliable) {
					this.retiredReconnects += reliable.getReconnects();
					this.retiredDuplicates += reliable.getDuplicates();
				}
				iterator.remove();
				if (connection.getBufferedMessages() > 0) {
					this.draining.add(new WeakReference<>(connection));
				}
			}
		}
		this.draining.removeIf((reference) -> {
			BufferedWebSocketConnection connection = reference.get();
			return connection == null || connection.getBufferedMessages() == 0;
		});
	}

}

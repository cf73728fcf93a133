package io.github.wsdrain.client;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The connections a client opened, for {@link ConnectionTotals}. Ended connections
 * (closed, nothing left to receive) are removed when a connection is added and when
 * totals are read, their final counts kept as retired totals: memory stays bounded by
 * the live connections whether or not anyone reads the totals.
 * <p>
 * One lock guards the live list and the retired totals, so that a connection moving
 * from one to the other is never counted twice or missed by a concurrent read. It is
 * held only while adding and while reading totals, never on a connection's message path.
 */
final class OpenedConnections {

	private final Object lock = new Object();

	private final List<BufferedWebSocketConnection> live = new ArrayList<>();

	private long retiredDropped;

	private long retiredReconnects;

	private long retiredDuplicates;

	void add(BufferedWebSocketConnection connection) {
		synchronized (this.lock) {
			retireEnded();
			this.live.add(connection);
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
			if (connection.isClosed() && connection.getBufferedMessages() == 0) {
				this.retiredDropped += connection.getDroppedMessages();
				if (connection instanceof ReliableWebSocketConnection reliable) {
					this.retiredReconnects += reliable.getReconnects();
					this.retiredDuplicates += reliable.getDuplicates();
				}
				iterator.remove();
			}
		}
	}

}

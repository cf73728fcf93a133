package io.github.wsdrain.actuate;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.github.wsdrain.server.DrainSummary;
import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.server.DrainingWebSocketSession;
import io.github.wsdrain.server.GracefulWebSocketShutdown;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code wsdrain} Actuator endpoint: the draining sessions with their queues, and a
 * switch that drains every session (close 1001) and refuses new handshakes until it is
 * switched back. Only the read operation is allowed unless access is raised.
 */
@Endpoint(id = "wsdrain", defaultAccess = Access.READ_ONLY)
public class WsDrainEndpoint {

	/** Most sessions listed in one page, so that ten thousand sessions stay a small answer. */
	static final int MAX_PAGE_SIZE = 500;

	static final int DEFAULT_PAGE_SIZE = 100;

	private final DrainingSessionRegistry registry;

	private final GracefulWebSocketShutdown shutdown;

	public WsDrainEndpoint(DrainingSessionRegistry registry, GracefulWebSocketShutdown shutdown) {
		this.registry = registry;
		this.shutdown = shutdown;
	}

	/**
	 * List the sessions, oldest first, one page at a time, with totals over all of them.
	 * @param page the page, from 0
	 * @param size sessions per page, at most {@value #MAX_PAGE_SIZE}
	 * @return the page and the totals
	 */
	@ReadOperation
	public SessionsReport sessions(@Nullable Integer page, @Nullable Integer size) {
		int pageSize = Math.min(Math.max((size != null) ? size : DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
		int pageIndex = Math.max((page != null) ? page : 0, 0);
		List<DrainingWebSocketSession> sessions = this.registry.getSessions()
			.stream()
			.sorted(Comparator.comparing(DrainingWebSocketSession::getAge).reversed())
			.toList();
		Totals totals = new Totals(sessions.size(),
				sessions.stream().mapToLong(DrainingWebSocketSession::getQueuedMessages).sum(),
				sessions.stream().mapToLong(DrainingWebSocketSession::getQueuedBytes).sum(),
				sessions.stream().mapToLong(DrainingWebSocketSession::getDroppedMessages).sum());
		List<SessionDescriptor> pageOfSessions = sessions.stream()
			.skip((long) pageIndex * pageSize)
			.limit(pageSize)
			.map(SessionDescriptor::of)
			.toList();
		return new SessionsReport(!this.shutdown.isAcceptingSessions(), totals, pageIndex, pageSize, pageOfSessions);
	}

	/**
	 * Switch draining mode. {@code true}: refuse new handshakes (503), then drain every
	 * session and close it with the shutdown close status, waiting at most the shutdown
	 * timeout. {@code false}: accept handshakes again.
	 * @param draining whether the instance should drain
	 * @return the drain summary, or {@code null} when leaving draining mode
	 * @throws Exception if the drain is interrupted
	 */
	@WriteOperation
	public @Nullable DrainSummary draining(boolean draining) throws Exception {
		if (!draining) {
			this.shutdown.resumeAccepting();
			return null;
		}
		return this.shutdown.drainAll(this.shutdown.getCloseStatus())
			.get(this.shutdown.getTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
	}

	/**
	 * The answer of the read operation.
	 *
	 * @param draining whether new handshakes are refused
	 * @param totals totals over every session
	 * @param page this page
	 * @param size the page size
	 * @param sessions the sessions of this page
	 */
	public record SessionsReport(boolean draining, Totals totals, int page, int size,
			List<SessionDescriptor> sessions) {

	}

	/**
	 * Totals over every session.
	 *
	 * @param sessions open and closing sessions
	 * @param queuedMessages messages waiting in send queues
	 * @param queuedBytes payload bytes waiting in send queues
	 * @param droppedMessages messages dropped by these sessions
	 */
	public record Totals(int sessions, long queuedMessages, long queuedBytes, long droppedMessages) {

	}

	/**
	 * One session.
	 *
	 * @param id the session id
	 * @param remoteAddress the peer's address
	 * @param path the endpoint path
	 * @param state open or closing
	 * @param queuedMessages messages waiting to be written
	 * @param queuedBytes payload bytes waiting to be written
	 * @param sentMessages messages written
	 * @param droppedMessages messages dropped
	 * @param ageSeconds seconds since the session opened
	 */
	public record SessionDescriptor(String id, @Nullable String remoteAddress, @Nullable String path, String state,
			int queuedMessages, long queuedBytes, long sentMessages, long droppedMessages, long ageSeconds) {

		static SessionDescriptor of(DrainingWebSocketSession session) {
			InetSocketAddress remote = session.getRemoteAddress();
			URI uri = session.getUri();
			return new SessionDescriptor(session.getId(), (remote != null) ? remote.toString() : null,
					(uri != null) ? uri.getPath() : null, session.getState().name().toLowerCase(Locale.ROOT),
					session.getQueuedMessages(), session.getQueuedBytes(), session.getSentMessages(),
					session.getDroppedMessages(), session.getAge().toSeconds());
		}

	}

}

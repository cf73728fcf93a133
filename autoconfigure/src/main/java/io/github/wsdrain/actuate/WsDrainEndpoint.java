package io.github.wsdrain.actuate;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.github.wsdrain.server.resume.ResumableSession;
import io.github.wsdrain.server.resume.ResumableSessions;
import io.github.wsdrain.shutdown.DrainSummary;
import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.session.DropReason;
import io.github.wsdrain.shutdown.GracefulWebSocketShutdown;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code wsdrain} Actuator endpoint: the draining sessions with their queues (and,
 * for {@code wsdrain.v1}, their unacknowledged messages and the sessions waiting for a
 * resume), and a switch that drains every session (close 1001) and refuses new
 * handshakes until it is switched back. Only the read operation is allowed unless access
 * is raised.
 */
@Endpoint(id = "wsdrain", defaultAccess = Access.READ_ONLY)
public class WsDrainEndpoint {

	/** Most sessions listed in one page, so that ten thousand sessions stay a small answer. */
	static final int MAX_PAGE_SIZE = 500;

	static final int DEFAULT_PAGE_SIZE = 100;

	private final DrainingSessionRegistry registry;

	private final GracefulWebSocketShutdown shutdown;

	private final @Nullable ResumableSessions resumableSessions;

	/**
	 * Create the endpoint.
	 * @param registry the draining sessions
	 * @param shutdown the graceful shutdown, which owns draining mode
	 * @param resumableSessions the {@code wsdrain.v1} sessions, or {@code null} when
	 * resuming is off
	 */
	public WsDrainEndpoint(DrainingSessionRegistry registry, GracefulWebSocketShutdown shutdown,
			@Nullable ResumableSessions resumableSessions) {
		this.registry = registry;
		this.shutdown = shutdown;
		this.resumableSessions = resumableSessions;
	}

	/**
	 * List the sessions, oldest first, one page at a time, with totals over all of them:
	 * the open and closing connections and, as {@code detached}, the {@code wsdrain.v1}
	 * sessions waiting for their client to resume.
	 * @param page the page, from 0
	 * @param size sessions per page, at most {@value #MAX_PAGE_SIZE}
	 * @return the page and the totals
	 */
	@ReadOperation
	public SessionsReport sessions(@Nullable Integer page, @Nullable Integer size) {
		int pageSize = Math.min(Math.max((size != null) ? size : DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
		int pageIndex = Math.max((page != null) ? page : 0, 0);
		List<DrainingWebSocketSession> sessions = List.copyOf(this.registry.getSessions());
		Collection<ResumableSession> resumable = (this.resumableSessions != null)
				? this.resumableSessions.getSessions() : List.of();
		List<ResumableSession> detached = resumable.stream().filter(ResumableSession::isDetached).toList();
		Totals totals = new Totals(sessions.size(),
				sessions.stream().mapToLong(DrainingWebSocketSession::getQueuedMessages).sum(),
				sessions.stream().mapToLong(DrainingWebSocketSession::getQueuedBytes).sum(),
				sessions.stream().mapToLong(DrainingWebSocketSession::getDroppedMessages).sum(), detached.size(),
				resumable.stream().mapToLong(ResumableSession::getUnacknowledgedMessages).sum(),
				undelivered(this.registry.getUndeliveredMessages()),
				sessions.stream().filter(DrainingWebSocketSession::isStuckInWrite).count(),
				this.registry.getWriteTimeouts());
		// Descriptors are built for one page only: ten thousand sessions stay cheap to list.
		List<SessionDescriptor> pageOfSessions = Stream
			.concat(sessions.stream().map((session) -> new Listed(session.getAge(), () -> describe(session))),
					detached.stream().map((session) -> new Listed(session.getAge(), () -> describe(session))))
			.sorted(Comparator.comparing(Listed::age).reversed())
			.skip((long) pageIndex * pageSize)
			.limit(pageSize)
			.map((listed) -> listed.descriptor().get())
			.toList();
		return new SessionsReport(!this.shutdown.isAcceptingSessions(), totals, pageIndex, pageSize, pageOfSessions);
	}

	private static Map<String, Long> undelivered(Map<DropReason, Long> counts) {
		Map<String, Long> byTag = new TreeMap<>();
		counts.forEach((reason, count) -> byTag.put(reason.tagValue(), count));
		return byTag;
	}

	private SessionDescriptor describe(DrainingWebSocketSession connection) {
		ResumableSession resumable = (this.resumableSessions != null) ? this.resumableSessions.sessionOf(connection)
				: null;
		return SessionDescriptor.of(connection, (resumable != null) ? Resumable.of(resumable) : null);
	}

	private static SessionDescriptor describe(ResumableSession detached) {
		URI uri = detached.getUri();
		return new SessionDescriptor(detached.getId(), null, (uri != null) ? uri.getPath() : null, "detached", 0, 0, 0,
				0, 0, 0, detached.getAge().toSeconds(), Resumable.of(detached));
	}

	/**
	 * Switch draining mode. {@code true}: refuse new handshakes (503), then drain every
	 * session and close it with the shutdown close status (a {@code wsdrain.v1} session
	 * once its client has acknowledged everything, or at the ack timeout), waiting at
	 * most the shutdown timeout. {@code false}: accept handshakes again.
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
	 * @param detachedSessions {@code wsdrain.v1} sessions waiting for a resume, not
	 * counted in {@code sessions}
	 * @param unacknowledgedMessages messages sent to {@code wsdrain.v1} clients and not
	 * yet acknowledged
	 * @param undeliveredMessages STOMP messages that Spring's outbound channel delivered
	 * after their session began to close ({@code session-closing}) or had ended
	 * ({@code no-session}), since start, by reason
	 * @param stuckWrites sessions whose write to the peer has lasted longer than 1 s (or
	 * half the send time limit), which a peer that stops reading causes
	 * @param writeTimeouts sessions ended with 1011 because a write ran past the send time
	 * limit, since start
	 */
	public record Totals(int sessions, long queuedMessages, long queuedBytes, long droppedMessages,
			int detachedSessions, long unacknowledgedMessages, Map<String, Long> undeliveredMessages,
			long stuckWrites, long writeTimeouts) {

	}

	/**
	 * One session.
	 *
	 * @param id the session id
	 * @param remoteAddress the peer's address
	 * @param path the endpoint path
	 * @param state open, closing, or detached: a {@code wsdrain.v1} session without a
	 * connection, waiting for a resume
	 * @param queuedMessages messages waiting to be written
	 * @param queuedBytes payload bytes waiting to be written
	 * @param sentMessages messages written
	 * @param droppedMessages messages dropped
	 * @param writeBytes payload bytes of the write to the peer in progress: they left the
	 * queue, and a peer that stops reading holds them until the send time limit
	 * @param writeMillis how long the write in progress has lasted, 0 when none is
	 * @param ageSeconds seconds since the session opened
	 * @param resumable the {@code wsdrain.v1} session, or {@code null} for a plain
	 * connection
	 */
	public record SessionDescriptor(String id, @Nullable String remoteAddress, @Nullable String path, String state,
			int queuedMessages, long queuedBytes, long sentMessages, long droppedMessages, long writeBytes,
			long writeMillis, long ageSeconds, @Nullable Resumable resumable) {

		static SessionDescriptor of(DrainingWebSocketSession session, @Nullable Resumable resumable) {
			InetSocketAddress remote = session.getRemoteAddress();
			URI uri = session.getUri();
			return new SessionDescriptor(session.getId(), (remote != null) ? remote.toString() : null,
					(uri != null) ? uri.getPath() : null, session.getState().tagValue(),
					session.getQueuedMessages(), session.getQueuedBytes(), session.getSentMessages(),
					session.getDroppedMessages(), session.getWriteBytes(), session.getWriteTime().toMillis(),
					session.getAge().toSeconds(), resumable);
		}

	}

	/**
	 * The {@code wsdrain.v1} session a connection carries; it outlives its connections.
	 *
	 * @param sessionId the id the app's handler sees: that of the session's first
	 * connection
	 * @param unacknowledgedMessages messages sent and not yet acknowledged by the client
	 */
	public record Resumable(String sessionId, int unacknowledgedMessages) {

		static Resumable of(ResumableSession session) {
			return new Resumable(session.getId(), session.getUnacknowledgedMessages());
		}

	}

	/** A connection or detached session to list, by age, described only if on the page. */
	private record Listed(Duration age, Supplier<SessionDescriptor> descriptor) {

	}

}

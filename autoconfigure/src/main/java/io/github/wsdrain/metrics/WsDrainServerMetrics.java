package io.github.wsdrain.metrics;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

import io.github.wsdrain.server.resume.DetachedLimit;
import io.github.wsdrain.server.resume.ResumableSession;
import io.github.wsdrain.server.resume.ResumableSessions;
import io.github.wsdrain.server.resume.ResumeClaim;
import io.github.wsdrain.server.resume.ResumeListener;
import io.github.wsdrain.server.resume.ResumeOutcome;
import io.github.wsdrain.session.BarrierOutcome;
import io.github.wsdrain.session.CloseResult;
import io.github.wsdrain.session.DrainingSessionListener;
import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.session.DrainingWebSocketSession;
import io.github.wsdrain.session.DropReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;

/**
 * Server metrics under {@code wsdrain.}: sessions by state, messages and bytes sent,
 * messages dropped by reason, queue depth and drain duration; with {@code wsdrain.v1},
 * unacknowledged messages, resumes by outcome, detached bytes, evictions by limit and
 * replaced connections. Tags stay bounded: states, reasons and
 * outcomes, never session ids.
 * <p>
 * {@code wsdrain.sessions} counts connections by state ({@code open}, {@code closing})
 * and, tagged {@code detached}, the {@code wsdrain.v1} sessions that lost their
 * connection and wait for a resume: a session is counted once, by its connection while
 * it has one.
 * <p>
 * Gauges read the live sessions when scraped; counters of sends are kept by the registry
 * whether or not metrics are on; only the rare events (drops, closes, resumes) pass
 * through here.
 */
public class WsDrainServerMetrics implements MeterBinder, DrainingSessionListener, ResumeListener {

	private final ObjectProvider<DrainingSessionRegistry> registry;

	private final ObjectProvider<ResumableSessions> resumableSessions;

	/** Every registry bound so far: Boot may bind one binder to several. */
	private final List<MeterRegistry> meterRegistries = new CopyOnWriteArrayList<>();

	public WsDrainServerMetrics(ObjectProvider<DrainingSessionRegistry> registry,
			ObjectProvider<ResumableSessions> resumableSessions) {
		this.registry = registry;
		this.resumableSessions = resumableSessions;
	}

	@Override
	public void bindTo(MeterRegistry meterRegistry) {
		DrainingSessionRegistry sessions = this.registry.getObject();
		// The coarse states of SessionState#tagValue(): a closed session leaves the registry.
		for (String state : List.of("open", "closing")) {
			Gauge.builder("wsdrain.sessions", sessions, (source) -> count(source, state))
				.description("WebSocket sessions drained by wsdrain, by state")
				.tag("state", state)
				.register(meterRegistry);
		}
		FunctionCounter.builder("wsdrain.messages.sent", sessions, (source) -> source.getSendTotals().messages())
			.description("Messages written to WebSocket connections")
			.register(meterRegistry);
		FunctionCounter.builder("wsdrain.bytes.sent", sessions, (source) -> source.getSendTotals().bytes())
			.description("Payload bytes written to WebSocket connections")
			.baseUnit("bytes")
			.register(meterRegistry);
		Gauge.builder("wsdrain.queued.messages", sessions, sum(DrainingWebSocketSession::getQueuedMessages))
			.description("Messages waiting in send queues, summed over sessions")
			.register(meterRegistry);
		Gauge.builder("wsdrain.queued.bytes", sessions, sum(DrainingWebSocketSession::getQueuedBytes))
			.description("Payload bytes waiting in send queues, summed over sessions")
			.baseUnit("bytes")
			.register(meterRegistry);
		Gauge.builder("wsdrain.writes.stuck", sessions,
				(source) -> sessionsOf(source).stream().filter(DrainingWebSocketSession::isStuckInWrite).count())
			.description("Sessions whose write to the peer has lasted longer than 1 s (or half the send time limit)")
			.register(meterRegistry);
		Gauge.builder("wsdrain.writes.in.progress.bytes", sessions, sum(DrainingWebSocketSession::getWriteBytes))
			.description("Payload bytes of the writes to peers in progress, summed over sessions")
			.baseUnit("bytes")
			.register(meterRegistry);
		Gauge.builder("wsdrain.writes.longest", sessions,
				(source) -> sessionsOf(source).stream()
					.mapToLong((session) -> session.getWriteTime().toNanos())
					.max()
					.orElse(0) / 1e9)
			.description("How long the longest write to a peer in progress has lasted")
			.baseUnit("seconds")
			.register(meterRegistry);
		FunctionCounter.builder("wsdrain.write.timeouts", sessions, DrainingSessionRegistry::getWriteTimeouts)
			.description("Sessions closed with 1011 because a write to the peer ran past the send time limit")
			.register(meterRegistry);
		FunctionCounter
			.builder("wsdrain.executor.caller.runs", sessions, (source) -> source.getThreads().getCallerRunTasks())
			.description("Tasks run by their submitter because the server executor's threads and queue were full")
			.register(meterRegistry);
		Arrays.stream(DropReason.values()).forEach((reason) -> droppedCounter(meterRegistry, reason));
		Arrays.stream(BarrierOutcome.values()).forEach((outcome) -> closeBarrierCounter(meterRegistry, outcome));
		ResumableSessions resumable = this.resumableSessions.getIfAvailable();
		if (resumable != null) {
			bindResumable(meterRegistry, resumable);
		}
		this.meterRegistries.add(meterRegistry);
	}

	private void bindResumable(MeterRegistry meterRegistry, ResumableSessions resumable) {
		Gauge.builder("wsdrain.sessions", resumable,
				(source) -> source.getSessions().stream().filter(ResumableSession::isDetached).count())
			.description("WebSocket sessions drained by wsdrain, by state")
			.tag("state", "detached")
			.register(meterRegistry);
		Gauge.builder("wsdrain.unacknowledged.messages", resumable,
				(source) -> source.getSessions().stream().mapToLong(ResumableSession::getUnacknowledgedMessages).sum())
			.description("Messages sent to wsdrain.v1 clients and not yet acknowledged, summed over sessions")
			.register(meterRegistry);
		Arrays.stream(ResumeOutcome.values()).forEach((outcome) -> resumesCounter(meterRegistry, outcome));
		Gauge.builder("wsdrain.detached.bytes", resumable, ResumableSessions::getDetachedBytes)
			.description("Bytes held by wsdrain.v1 sessions waiting for a resume, as counted against their limits")
			.baseUnit("bytes")
			.register(meterRegistry);
		Arrays.stream(DetachedLimit.values()).forEach((limit) -> evictedCounter(meterRegistry, limit));
		replacedCounter(meterRegistry, true);
		replacedCounter(meterRegistry, false);
		storeFailuresCounter(meterRegistry);
		movedInCounter(meterRegistry, true);
		movedInCounter(meterRegistry, false);
	}

	@Override
	public void storeFailed() {
		this.meterRegistries.forEach((meters) -> storeFailuresCounter(meters).increment());
	}

	@Override
	public void sessionMovedIn(ResumeClaim.SessionOrigin origin) {
		this.meterRegistries.forEach((meters) -> movedInCounter(meters, origin.mayRepeat()).increment());
	}

	@Override
	public void detachedSessionEvicted(DetachedLimit limit) {
		this.meterRegistries.forEach((meters) -> evictedCounter(meters, limit).increment());
	}

	@Override
	public void connectionReplaced(boolean recentlyActive) {
		this.meterRegistries.forEach((meters) -> replacedCounter(meters, recentlyActive).increment());
	}

	@Override
	public void resumeAttempted(ResumeOutcome outcome) {
		this.meterRegistries.forEach((meters) -> resumesCounter(meters, outcome).increment());
	}

	@Override
	public void messagesDropped(DrainingWebSocketSession session, DropReason reason, long count) {
		this.meterRegistries.forEach((meters) -> droppedCounter(meters, reason).increment(count));
	}

	@Override
	public void messageUndelivered(String sessionId, DropReason reason) {
		this.meterRegistries.forEach((meters) -> droppedCounter(meters, reason).increment());
	}

	@Override
	public void sessionClosed(DrainingWebSocketSession session, CloseResult result) {
		this.meterRegistries.forEach((meters) -> {
			Timer.builder("wsdrain.drain.duration")
				.description("Time from a close request to the close frame")
				.tag("outcome", outcome(result))
				.register(meters)
				.record(result.duration());
			closeBarrierCounter(meters, result.closeBarrier()).increment();
		});
	}

	private static Counter droppedCounter(MeterRegistry meters, DropReason reason) {
		return Counter.builder("wsdrain.messages.dropped")
			.description("Accepted messages dropped instead of sent, by reason")
			.tag("reason", reason.tagValue())
			.register(meters);
	}

	private static Counter closeBarrierCounter(MeterRegistry meters, BarrierOutcome outcome) {
		return Counter.builder("wsdrain.close.barrier")
			.description("Closes by how the Ping before the close frame was answered")
			.tag("outcome", outcome.tagValue())
			.register(meters);
	}

	private static Counter resumesCounter(MeterRegistry meters, ResumeOutcome outcome) {
		return Counter.builder("wsdrain.resumes")
			.description("Attempts of wsdrain.v1 clients to resume a session, by outcome")
			.tag("outcome", outcome.tagValue())
			.register(meters);
	}

	private static Counter evictedCounter(MeterRegistry meters, DetachedLimit limit) {
		return Counter.builder("wsdrain.sessions.evicted")
			.description("wsdrain.v1 sessions ended while waiting for a resume because detached sessions were over a limit")
			.tag("limit", limit.tagValue())
			.register(meters);
	}

	private static Counter storeFailuresCounter(MeterRegistry meters) {
		return Counter.builder("wsdrain.resume.store.failures")
			.description("wsdrain.v1 connections refused and sessions ended with 1011 because the resume store failed")
			.register(meters);
	}

	private static Counter movedInCounter(MeterRegistry meters, boolean mayRepeat) {
		return Counter.builder("wsdrain.sessions.moved-in")
			.description("wsdrain.v1 sessions resumed here that another node had; may-repeat: client messages may come again")
			.tag("may-repeat", Boolean.toString(mayRepeat))
			.register(meters);
	}

	private static Counter replacedCounter(MeterRegistry meters, boolean recentlyActive) {
		return Counter.builder("wsdrain.connections.replaced")
			.description("Connections of wsdrain.v1 sessions replaced by a resume; recently-active ones had just delivered a frame")
			.tag("recently-active", Boolean.toString(recentlyActive))
			.register(meters);
	}

	private static String outcome(CloseResult result) {
		if (result.drainTimedOut()) {
			return "timed-out";
		}
		return result.complete() ? "complete" : "incomplete";
	}

	private static double count(DrainingSessionRegistry source, String state) {
		return sessionsOf(source).stream().filter((session) -> session.getState().tagValue().equals(state)).count();
	}

	private static ToDoubleFunction<DrainingSessionRegistry> sum(
			ToLongFunction<DrainingWebSocketSession> value) {
		return (source) -> sessionsOf(source).stream().mapToLong(value).sum();
	}

	private static Collection<DrainingWebSocketSession> sessionsOf(DrainingSessionRegistry source) {
		return (source != null) ? source.getSessions() : Collections.emptyList();
	}

}

package io.github.wsdrain.server.resume;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The sessions that lost their connection and wait for a resume, with the bytes each
 * holds, oldest first: past a limit of {@link DetachedSessionLimits} it picks the oldest
 * sessions of the scope over the limit for eviction. It only counts; the caller ends
 * the sessions it returns.
 */
final class DetachedSessions {

	private final DetachedSessionLimits limits;

	private final Object lock = new Object();

	/** In the order they lost their connection, oldest first. */
	private final LinkedHashMap<ResumableSession, Charge> charges = new LinkedHashMap<>();

	private final Map<String, Scope> byAddress = new HashMap<>();

	private final Map<String, Scope> byPrincipal = new HashMap<>();

	private long bytes;

	DetachedSessions(DetachedSessionLimits limits) {
		this.limits = limits;
	}

	DetachedSessionLimits limits() {
		return this.limits;
	}

	/**
	 * Count a session that lost its connection.
	 * @return the sessions to end now to get back within the limits, maybe this one
	 */
	List<Eviction> detached(ResumableSession session) {
		synchronized (this.lock) {
			if (this.charges.containsKey(session)) {
				return resized(session);
			}
			Charge charge = new Charge(session.clientAddress(), session.principalName(), session.retainedBytes());
			this.charges.put(session, charge);
			this.bytes += charge.bytes;
			scope(this.byAddress, charge.address).add(session, charge.bytes);
			if (charge.principal != null) {
				scope(this.byPrincipal, charge.principal).add(session, charge.bytes);
			}
			return enforce(charge);
		}
	}

	/**
	 * Count again what a detached session holds: the app may go on sending to it.
	 * @return the sessions to end now to get back within the limits, maybe this one
	 */
	List<Eviction> resized(ResumableSession session) {
		synchronized (this.lock) {
			Charge charge = this.charges.get(session);
			if (charge == null) {
				return List.of();
			}
			long delta = session.retainedBytes() - charge.bytes;
			charge.bytes += delta;
			this.bytes += delta;
			this.byAddress.get(charge.address).bytes += delta;
			if (charge.principal != null) {
				this.byPrincipal.get(charge.principal).bytes += delta;
			}
			return (delta > 0) ? enforce(charge) : List.of();
		}
	}

	/** Stop counting a session: it was resumed, or it ended. */
	void released(ResumableSession session) {
		synchronized (this.lock) {
			Charge charge = this.charges.remove(session);
			if (charge != null) {
				this.bytes -= charge.bytes;
				leave(this.byAddress, charge.address, session, charge.bytes);
				if (charge.principal != null) {
					leave(this.byPrincipal, charge.principal, session, charge.bytes);
				}
			}
		}
	}

	int count() {
		synchronized (this.lock) {
			return this.charges.size();
		}
	}

	long bytes() {
		synchronized (this.lock) {
			return this.bytes;
		}
	}

	/**
	 * Evict the oldest of the narrowest scope first, so that a client over its own limit
	 * loses its own sessions before anyone else's. Call with the lock held.
	 */
	private List<Eviction> enforce(Charge trigger) {
		List<Eviction> evicted = new ArrayList<>();
		if (trigger.principal != null) {
			Scope principal = this.byPrincipal.get(trigger.principal);
			while (principal.count > this.limits.sessionsPerPrincipal()) {
				evict(principal.oldest(), DetachedLimit.SESSIONS_PER_PRINCIPAL, evicted);
			}
			while (principal.bytes > this.limits.bytesPerPrincipal()) {
				evict(principal.oldest(), DetachedLimit.BYTES_PER_PRINCIPAL, evicted);
			}
		}
		Scope address = this.byAddress.get(trigger.address);
		while (address != null && address.count > this.limits.sessionsPerAddress()) {
			evict(address.oldest(), DetachedLimit.SESSIONS_PER_ADDRESS, evicted);
		}
		while (address != null && address.bytes > this.limits.bytesPerAddress()) {
			evict(address.oldest(), DetachedLimit.BYTES_PER_ADDRESS, evicted);
		}
		while (this.charges.size() > this.limits.sessions()) {
			evict(oldest(), DetachedLimit.SESSIONS, evicted);
		}
		while (this.bytes > this.limits.bytes()) {
			evict(oldest(), DetachedLimit.BYTES, evicted);
		}
		return evicted;
	}

	private ResumableSession oldest() {
		return this.charges.keySet().iterator().next();
	}

	private void evict(ResumableSession session, DetachedLimit limit, List<Eviction> evicted) {
		released(session);
		evicted.add(new Eviction(session, limit));
	}

	private static Scope scope(Map<String, Scope> scopes, String key) {
		return scopes.computeIfAbsent(key, (ignored) -> new Scope());
	}

	private static void leave(Map<String, Scope> scopes, String key, ResumableSession session, long bytes) {
		Scope scope = scopes.get(key);
		scope.members.remove(session);
		scope.count--;
		scope.bytes -= bytes;
		if (scope.count == 0) {
			scopes.remove(key);
		}
	}

	/**
	 * A session to end and the limit it was over.
	 *
	 * @param session the detached session
	 * @param limit the limit its scope was over
	 */
	record Eviction(ResumableSession session, DetachedLimit limit) {
	}

	private static final class Charge {

		private final String address;

		private final @Nullable String principal;

		private long bytes;

		Charge(String address, @Nullable String principal, long bytes) {
			this.address = address;
			this.principal = principal;
			this.bytes = bytes;
		}

	}

	/** The detached sessions of one address or principal, oldest first. */
	private static final class Scope {

		private final LinkedHashSet<ResumableSession> members = new LinkedHashSet<>();

		private int count;

		private long bytes;

		void add(ResumableSession session, long sessionBytes) {
			this.members.add(session);
			this.count++;
			this.bytes += sessionBytes;
		}

		ResumableSession oldest() {
			return this.members.iterator().next();
		}

	}

}

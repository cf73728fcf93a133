package io.github.wsdrain.server.resume;

import java.util.List;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketMessage;

/**
 * What a {@link ResumeStore} made of a resume attempt.
 */
public sealed interface ResumeClaim {

	/** No session for this token, principal and endpoint: the client gets not recovered. */
	enum Unknown implements ResumeClaim {

		INSTANCE

	}

	/**
	 * {@code last} was out of range: only the new connection closes, nothing changed.
	 *
	 * @param reason why, for the close status
	 */
	record OutOfRange(String reason) implements ResumeClaim {
	}

	/**
	 * The session ended complete: the client is told so with its close status (PROTOCOL.md §4.7).
	 *
	 * @param status the session's close status
	 */
	record Complete(CloseStatus status) implements ResumeClaim {
	}

	/**
	 * This node owns the session now.
	 *
	 * @param journal the session's journal, at the new epoch; when the session stayed,
	 * the journal this node holds goes on
	 * @param origin where the session came from
	 * @param lastSent the highest sequence the previous owner wrote
	 * @param delivered the highest client sequence recorded as delivered
	 * @param replay the messages after the client's {@code last}, in order; empty when
	 * this node was the owner and holds them in memory
	 */
	record Claimed(SessionJournal journal, SessionOrigin origin, long lastSent, long delivered,
			List<WebSocketMessage<?>> replay) implements ResumeClaim {

		/** Whether this node held the session at the previous epoch: its memory is current. */
		public boolean stayed() {
			return origin().sameNode();
		}

		/**
		 * Return this claim with a later last client message delivered, learnt from a copy
		 * this node held.
		 * @param lastDelivered the last client sequence delivered, at least this claim's
		 * @return the claim with it
		 */
		public Claimed withDelivered(long lastDelivered) {
			return (lastDelivered == delivered()) ? this
					: new Claimed(journal(), origin(), lastSent(), lastDelivered, replay());
		}

	}

	/**
	 * Where a session taken over came from.
	 *
	 * @param node the id of the node that owned it
	 * @param sameNode whether that is this node, at the epoch it still holds
	 * @param handedOver whether that node handed it over as it stopped
	 * @param ownerAlive whether that node was still running, as far as the store knows
	 * @param released whether that node, still running, recorded what it had delivered
	 * before this node read it
	 */
	record SessionOrigin(String node, boolean sameNode, boolean handedOver, boolean ownerAlive, boolean released) {

		/**
		 * Whether client messages the previous owner delivered may be delivered again: it
		 * neither handed the session over nor released it in time, so it may have
		 * delivered messages it had not recorded yet (always after a crash).
		 * @return {@code true} unless the session stayed, was handed over or released
		 */
		public boolean mayRepeat() {
			return !this.sameNode && !this.handedOver && !this.released;
		}

		/** Return the origin as text for logs. */
		public String describe() {
			return "node " + this.node + (this.handedOver ? " (handed over)" : this.ownerAlive ? "" : " (crashed)");
		}

	}

}

package io.github.wsdrain.server.resume;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;

import io.github.wsdrain.protocol.OutboundStream;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;

/**
 * Writes one session to its {@link SessionJournal}. Outbound messages are taken as they
 * are numbered, without waiting, and recorded in batches: one store round trip for
 * what was numbered while the previous one was under way, up to {@link #MAX_BATCH_BYTES},
 * on one of the server's writers; their frames go to the connection only once recorded,
 * written by another writer while the next batch, if any, is recorded. A store that stays
 * unreachable for the send time limit ends the session with 1011, and the senders wait
 * meanwhile only as for a full replay buffer. The client's latest acknowledgement and the
 * latest client message delivered to the app ride along with the batches; a client
 * message is acknowledged to the client only once its delivery is recorded, so that the
 * client keeps, and a crash makes it send again, everything the store does not know was
 * delivered. Tokens, hand-overs and the end are written on the caller's
 * thread, their failures only logged (the store counts them) since they lose nothing a
 * resume needs: a stale acknowledgement replays a little more, a stale token resumes nothing.
 */
final class JournalWriter implements OutboundStream.Recorder {

	private static final Log logger = LogFactory.getLog(JournalWriter.class);

	/** First pause between two attempts at an unreachable store, growing by half up to {@link #MAX_BACKOFF}. */
	private static final Duration FIRST_BACKOFF = Duration.ofMillis(10);

	private static final Duration MAX_BACKOFF = Duration.ofMillis(500);

	/**
	 * The most payload bytes a batch takes, unless its first message is larger: a fast
	 * sender's messages go to the store in a pipeline of round trips this size, not in one.
	 */
	static final long MAX_BATCH_BYTES = 1024 * 1024;

	private final SessionJournal journal;

	private final Duration sendTimeLimit;

	private final Executor writers;

	private final Target target;

	private final Object lock = new Object();

	/** Numbered, not recorded yet, from {@link #firstPending}; guarded by {@link #lock}. */
	private final Deque<WebSocketMessage<?>> pending = new ArrayDeque<>();

	private long firstPending;

	/** The client's latest acknowledgement, and the latest recorded; guarded by {@link #lock}. */
	private long acknowledged;

	private long acknowledgedRecorded;

	/** The latest client message delivered to the app, and the latest recorded; guarded by {@link #lock}. */
	private long delivered;

	private long deliveredRecorded;

	/** Payload bytes delivered since the last recorded delivery: they count towards an eager acknowledgement. */
	private long deliveredBytes;

	/** The highest sequence recorded, and whether a writer is writing the frames up to it; guarded by {@link #lock}. */
	private long recordedUpTo;

	private boolean writingFrames;

	/** A writer is recording a batch; guarded by {@link #lock}. */
	private boolean recording;

	/** The session moved or ended here: nothing more is recorded; guarded by {@link #lock}. */
	private boolean stopped;

	/** The store did not record a batch: the session's end is not recorded either (its record expires). */
	private volatile boolean unreachable;

	/** When the store's first failure in a row came, on the nanosecond clock; 0 while it answers. */
	private volatile long failingSince;

	JournalWriter(SessionJournal journal, Duration sendTimeLimit, Executor writers, Target target) {
		this.journal = journal;
		this.sendTimeLimit = sendTimeLimit;
		this.writers = writers;
		this.target = target;
	}

	SessionJournal journal() {
		return this.journal;
	}

	/** Whether the session is recorded in a store that outlives this node. */
	boolean isShared() {
		return this.journal != SessionJournal.NONE;
	}

	/** Take a message to record: called by the outbound stream under its send lock. */
	@Override
	public void record(long seq, WebSocketMessage<?> message) {
		synchronized (this.lock) {
			if (this.stopped) {
				return;
			}
			if (this.pending.isEmpty()) {
				this.firstPending = seq;
			}
			this.pending.addLast(message);
			if (!startRecording()) {
				return;
			}
		}
		this.writers.execute(this::recordPending);
	}

	/** Take the client's acknowledgement: recorded with the next batch, or on its own. */
	void acknowledged(long seq) {
		synchronized (this.lock) {
			if (this.stopped || seq <= this.acknowledged) {
				return;
			}
			this.acknowledged = seq;
			if (!startRecording()) {
				return;
			}
		}
		this.writers.execute(this::recordPending);
	}

	/**
	 * Take the last client message delivered to the app, to record with the next batch or
	 * on its own; the target acknowledges it once recorded. A message delivered before
	 * (replayed by the client) is acknowledged again at once if recorded.
	 */
	void delivered(long seq, long bytes) {
		boolean recordedBefore;
		synchronized (this.lock) {
			if (this.stopped) {
				return;
			}
			recordedBefore = seq <= this.deliveredRecorded;
			if (!recordedBefore) {
				this.delivered = Math.max(this.delivered, seq);
				this.deliveredBytes += bytes;
				if (!startRecording()) {
					return;
				}
			}
		}
		if (recordedBefore) {
			this.target.delivered(seq, bytes);
			return;
		}
		this.writers.execute(this::recordPending);
	}

	private boolean startRecording() {
		if (this.recording) {
			return false;
		}
		this.recording = true;
		return true;
	}

	/** One writer at a time: record batches until nothing is pending. */
	private void recordPending() {
		while (true) {
			List<WebSocketMessage<?>> batch;
			long first;
			long ack;
			long deliveredNow;
			long bytes;
			synchronized (this.lock) {
				if (this.stopped || (this.pending.isEmpty() && this.acknowledged <= this.acknowledgedRecorded
						&& this.delivered <= this.deliveredRecorded)) {
					this.recording = false;
					this.lock.notifyAll();
					return;
				}
				batch = takeBatch();
				first = this.firstPending;
				this.firstPending += batch.size();
				ack = this.acknowledged;
				deliveredNow = this.delivered;
				bytes = this.deliveredBytes;
				this.deliveredBytes = 0;
			}
			int unrecorded = batch.size();
			try {
				if (!batch.isEmpty()) {
					// The acknowledgement rides along with the batch, in its round trip.
					long ackWith = (ack > this.acknowledgedRecorded) ? ack : 0;
					append(first, batch, ackWith);
					unrecorded = 0;
					recorded(first + batch.size() - 1);
					if (ackWith > 0) {
						this.acknowledgedRecorded = ack;
					}
				}
				if (ack > this.acknowledgedRecorded) {
					recordCounter(() -> this.journal.acknowledged(ack), "acknowledgement " + ack);
					this.acknowledgedRecorded = ack;
				}
				if (deliveredNow > this.deliveredRecorded) {
					if (!recordCounter(() -> this.journal.delivered(deliveredNow), "delivery " + deliveredNow)) {
						// Unacknowledged, the client keeps it; the next batch or delivery tries again.
						synchronized (this.lock) {
							this.deliveredBytes += bytes;
							if (this.pending.isEmpty() && this.acknowledged <= this.acknowledgedRecorded) {
								this.recording = false;
								this.lock.notifyAll();
								return;
							}
						}
						continue;
					}
					synchronized (this.lock) {
						this.deliveredRecorded = deliveredNow;
					}
					this.target.delivered(deliveredNow, bytes);
				}
			}
			catch (SessionMovedException ex) {
				this.target.movedAway(unrecorded + Math.max(0, stop()));
				return;
			}
			catch (ResumeStoreException ex) {
				storeFailed(ex);
				return;
			}
			catch (RuntimeException ex) {
				storeFailed(new ResumeStoreException("Recording messages failed", ex));
				return;
			}
		}
	}

	/**
	 * Take the next batch from what is pending, at most {@link #MAX_BATCH_BYTES} of payload
	 * unless its first message is larger: its round trip then overlaps the connection's
	 * write of the batch before, instead of one batch taking all a fast sender numbered.
	 */
	private List<WebSocketMessage<?>> takeBatch() {
		List<WebSocketMessage<?>> batch = new ArrayList<>(Math.min(this.pending.size(), 1024));
		long bytes = 0;
		while (!this.pending.isEmpty()) {
			long size = sizeForCap(this.pending.peekFirst());
			if (!batch.isEmpty() && bytes + size > MAX_BATCH_BYTES) {
				break;
			}
			batch.add(this.pending.pollFirst());
			bytes += size;
		}
		return batch;
	}

	/**
	 * A message's size for the batch cap, under the lock senders need: a text's length in
	 * characters is close enough, and its UTF-8 length would encode it once more.
	 */
	private static long sizeForCap(WebSocketMessage<?> message) {
		return (message instanceof TextMessage text) ? text.getPayload().length() : message.getPayloadLength();
	}

	/**
	 * Every message up to {@code seq} is recorded: have their frames written, on another
	 * writer when messages wait for the next batch, so that its round trip overlaps their
	 * write to the connection, else on this thread. One such writer at a time; it writes
	 * up to the latest recorded when it gets to it.
	 */
	private void recorded(long seq) {
		boolean nextBatchWaits;
		synchronized (this.lock) {
			this.recordedUpTo = seq;
			if (this.writingFrames) {
				return;
			}
			this.writingFrames = true;
			nextBatchWaits = !this.pending.isEmpty();
		}
		if (nextBatchWaits) {
			try {
				this.writers.execute(this::writeRecorded);
				return;
			}
			catch (RejectedExecutionException ex) {
				// Stopped threads: the frames are written here, after all.
			}
		}
		writeRecorded();
	}

	private void writeRecorded() {
		long written = 0;
		try {
			while (true) {
				long upTo;
				synchronized (this.lock) {
					if (this.recordedUpTo <= written) {
						this.writingFrames = false;
						return;
					}
					upTo = this.recordedUpTo;
				}
				this.target.recorded(upTo);
				written = upTo;
			}
		}
		catch (RuntimeException ex) {
			// The next recorded batch starts another writer, which writes from where this one stopped.
			synchronized (this.lock) {
				this.writingFrames = false;
			}
			throw ex;
		}
	}

	/** The store did not record the session's messages in time: end it with 1011, once. */
	void storeFailed(ResumeStoreException ex) {
		this.unreachable = true;
		if (stop() >= 0) {
			this.target.storeFailed(ex);
		}
	}

	/** Record a batch in one round trip; while the store is unreachable, try again up to the send time limit. */
	private void append(long first, List<WebSocketMessage<?>> batch, long ack) {
		BackOffExecution backOff = backOff().start();
		for (int attempt = 1;; attempt++) {
			try {
				this.journal.append(first, batch, ack);
				this.failingSince = 0;
				return;
			}
			catch (SessionMovedException | SessionLostException ex) {
				throw ex;
			}
			catch (ResumeStoreException ex) {
				long left = failing() + this.sendTimeLimit.toNanos() - System.nanoTime();
				if (left <= 0) {
					throw ex;
				}
				if (logger.isDebugEnabled()) {
					logger.debug("Journal " + this.journal.id() + ": attempt " + attempt + " to record "
							+ batch.size() + " message(s) from " + first + " failed, retrying", ex);
				}
				LockSupport.parkNanos(Math.min(Duration.ofMillis(backOff.nextBackOff()).toNanos(), left));
			}
		}
	}

	/** The store failed again: when it started failing, counted from the first failure of any write. */
	private long failing() {
		if (this.failingSince == 0) {
			this.failingSince = System.nanoTime();
		}
		return this.failingSince;
	}

	private static ExponentialBackOff backOff() {
		ExponentialBackOff backOff = new ExponentialBackOff(FIRST_BACKOFF.toMillis(), 1.5);
		backOff.setMaxInterval(MAX_BACKOFF.toMillis());
		return backOff;
	}

	/**
	 * Return whether messages are waiting for the store, or its last write failed: then a
	 * full replay buffer is the store's doing, not the client's.
	 */
	boolean isHoldingUp() {
		synchronized (this.lock) {
			// Numbered but not recorded: only outbound messages count, a delivery being recorded holds nothing up.
			long numbered = this.firstPending + this.pending.size() - 1;
			return !this.stopped && (numbered > this.recordedUpTo || this.failingSince != 0);
		}
	}

	/**
	 * Wait until everything numbered so far is recorded, or the recording stopped.
	 * @return whether nothing is left to record
	 */
	boolean flush() {
		long deadline = System.nanoTime() + this.sendTimeLimit.toNanos();
		synchronized (this.lock) {
			while (this.recording && !this.stopped) {
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					return false;
				}
				try {
					this.lock.wait(Math.max(1, left / 1_000_000));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return false;
				}
			}
			return !this.stopped && this.pending.isEmpty();
		}
	}

	/** The highest sequence the store recorded from this writer. */
	private long recordedUpTo() {
		synchronized (this.lock) {
			return this.recordedUpTo;
		}
	}

	/**
	 * Record nothing more: the session moved or ended here.
	 * @return how many messages were left unrecorded; -1 if it had stopped already
	 */
	private int stop() {
		synchronized (this.lock) {
			if (this.stopped) {
				return -1;
			}
			this.stopped = true;
			int dropped = this.pending.size();
			this.pending.clear();
			this.lock.notifyAll();
			return dropped;
		}
	}

	/**
	 * Record everything numbered, then mark the session as handed over.
	 * @return whether the store has it all and the session marked as handed over
	 */
	boolean handOver(long delivered) {
		return flush() && quietly(() -> this.journal.handOver(delivered), "hand-over");
	}

	void released(long delivered) {
		stop();
		long recorded = recordedUpTo();
		quietly(() -> this.journal.released(delivered, recorded), "release");
	}

	void ended(CloseStatus status, boolean complete) {
		stop();
		if (this.unreachable) {
			// Its record expires after the resume window.
			return;
		}
		try {
			this.journal.ended(status, complete);
		}
		catch (SessionMovedException ex) {
			// Taken over while it ended here: no move notice finds it any more, and the new
			// owner waits for what was delivered here before the client sends again.
			long last;
			synchronized (this.lock) {
				last = Math.max(this.delivered, this.deliveredRecorded);
			}
			long recorded = recordedUpTo();
			quietly(() -> this.journal.released(last, recorded), "release");
		}
		catch (ResumeStoreException ex) {
			logger.debug("Journal " + this.journal.id() + ": end not recorded", ex);
		}
	}

	/**
	 * Record a counter that a later write corrects: only a move stops the recording.
	 * @return whether it was recorded
	 */
	private boolean recordCounter(Runnable write, String what) {
		try {
			write.run();
			this.failingSince = 0;
			return true;
		}
		catch (SessionMovedException ex) {
			throw ex;
		}
		catch (ResumeStoreException ex) {
			logger.debug("Journal " + this.journal.id() + ": " + what + " not recorded", ex);
			if (failing() + this.sendTimeLimit.toNanos() - System.nanoTime() <= 0) {
				// Failing for the send time limit, whatever it was writing.
				throw ex;
			}
			return false;
		}
	}

	private boolean quietly(Runnable write, String what) {
		try {
			write.run();
			return true;
		}
		catch (ResumeStoreException ex) {
			logger.debug("Journal " + this.journal.id() + ": " + what + " not recorded", ex);
			return false;
		}
	}

	/**
	 * What the recorded batches go on to.
	 */
	interface Target {

		/**
		 * Every message up to {@code seq} is recorded: write their frames.
		 * @param seq the highest recorded sequence number
		 */
		void recorded(long seq);

		/**
		 * The client's messages up to {@code seq} are recorded as delivered: acknowledge them.
		 * @param seq the last client sequence delivered
		 * @param bytes the payload bytes delivered since the previous call
		 */
		void delivered(long seq, long bytes);

		/**
		 * Another node took the session over before a batch was recorded.
		 * @param unrecorded how many messages this node numbered but will never send
		 */
		void movedAway(int unrecorded);

		/**
		 * The store lost the session, or stayed unreachable for the send time limit.
		 * @param ex why
		 */
		void storeFailed(ResumeStoreException ex);

	}

}

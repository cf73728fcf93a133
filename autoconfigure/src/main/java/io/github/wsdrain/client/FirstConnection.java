package io.github.wsdrain.client;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Retries the first connection of a reliable connection like any later one: with the
 * reconnect back-off, until the connect timeout has passed. A network that cuts
 * connections during the first handshake is then survived like one that cuts them
 * later. A server that answers but does not speak {@code wsdrain.v1} is not retried.
 */
final class FirstConnection {

	private static final Log logger = LogFactory.getLog(FirstConnection.class);

	private FirstConnection() {
	}

	/**
	 * Run attempts until one succeeds, one fails for good, or the time is up.
	 * @param uri where to, for the messages
	 * @param connectTimeout how long to keep trying, in all
	 * @param backoff the delays between attempts
	 * @param attempt one attempt, given the time it may take; throws
	 * {@link WebSocketConnectException} to be retried, {@link Refused} not to be
	 * @throws WebSocketConnectException if no attempt succeeded in time, or the server refused
	 */
	static void open(URI uri, Duration connectTimeout, ReconnectBackoff backoff, Attempt attempt) {
		long start = System.nanoTime();
		long deadline = start + connectTimeout.toNanos();
		for (int n = 1;; n++) {
			try {
				attempt.run(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1)));
				return;
			}
			catch (Refused ex) {
				throw ex;
			}
			catch (WebSocketConnectException ex) {
				long delay = backoff.delayBefore(n).toNanos();
				if (System.nanoTime() + delay >= deadline) {
					throw new WebSocketConnectException("Could not open a reliable connection to " + uri + " in "
							+ TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms (" + n
							+ " attempt(s)): " + ex.getMessage(), ex);
				}
				logger.debug("First connection attempt " + n + " to " + uri + " failed, retrying in "
						+ TimeUnit.NANOSECONDS.toMillis(delay) + " ms: " + ex.getMessage());
				pause(delay, uri);
			}
		}
	}

	private static void pause(long nanos, URI uri) {
		try {
			TimeUnit.NANOSECONDS.sleep(nanos);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new Refused("Interrupted while connecting to " + uri, ex);
		}
	}

	/**
	 * One attempt at the first connection.
	 */
	@FunctionalInterface
	interface Attempt {

		void run(Duration timeLeft);

	}

	/**
	 * A failure that another attempt would only repeat.
	 */
	static final class Refused extends WebSocketConnectException {

		Refused(String message, Throwable cause) {
			super(message, cause);
		}

	}

}

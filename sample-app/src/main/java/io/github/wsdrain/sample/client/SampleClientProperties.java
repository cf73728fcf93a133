package io.github.wsdrain.sample.client;

import java.nio.file.Path;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Options of the sample app's client mode.
 */
@ConfigurationProperties("wsdrain.sample.client")
public class SampleClientProperties {

	/** WebSocket URL to read from; setting it switches the sample app to client mode. */
	private @Nullable String url;

	/** File to write each message's index to, one a line in arrival order. */
	private @Nullable Path indexesFile;

	/** Time to sleep after each message, to play a slow consumer. */
	private Duration consumeDelay = Duration.ZERO;

	/** Whether to use the wsdrain.v1 protocol: acknowledge, reconnect, resume, deduplicate. */
	private boolean reliable;

	public @Nullable String getUrl() {
		return this.url;
	}

	public void setUrl(@Nullable String url) {
		this.url = url;
	}

	public @Nullable Path getIndexesFile() {
		return this.indexesFile;
	}

	public void setIndexesFile(@Nullable Path indexesFile) {
		this.indexesFile = indexesFile;
	}

	public Duration getConsumeDelay() {
		return this.consumeDelay;
	}

	public void setConsumeDelay(Duration consumeDelay) {
		this.consumeDelay = consumeDelay;
	}

	public boolean isReliable() {
		return this.reliable;
	}

	public void setReliable(boolean reliable) {
		this.reliable = reliable;
	}

}

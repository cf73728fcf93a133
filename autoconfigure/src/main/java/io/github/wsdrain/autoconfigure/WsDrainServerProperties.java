package io.github.wsdrain.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.wsdrain.server.OverflowPolicy;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties for draining WebSocket server sessions.
 */
@ConfigurationProperties("wsdrain.server")
public class WsDrainServerProperties {

	/** Whether to drain WebSocket server sessions before closing them. */
	private boolean enabled = true;

	/** Most payload bytes queued per session before the overflow policy applies. */
	private DataSize sendBufferSize = DataSize.ofMegabytes(1);

	/** How long a sender waits for room in a full send buffer under the block policy. */
	private Duration sendTimeLimit = Duration.ofSeconds(10);

	/** What happens when a message does not fit in the send buffer. */
	private OverflowPolicy overflow = OverflowPolicy.BLOCK;

	/** Longest time a closing session may spend flushing its queue before the close frame. */
	private Duration drainTimeout = Duration.ofSeconds(10);

	/** Path patterns of WebSocket endpoints to leave as Spring serves them. */
	private List<String> excludedPaths = new ArrayList<>();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public DataSize getSendBufferSize() {
		return this.sendBufferSize;
	}

	public void setSendBufferSize(DataSize sendBufferSize) {
		this.sendBufferSize = sendBufferSize;
	}

	public Duration getSendTimeLimit() {
		return this.sendTimeLimit;
	}

	public void setSendTimeLimit(Duration sendTimeLimit) {
		this.sendTimeLimit = sendTimeLimit;
	}

	public OverflowPolicy getOverflow() {
		return this.overflow;
	}

	public void setOverflow(OverflowPolicy overflow) {
		this.overflow = overflow;
	}

	public Duration getDrainTimeout() {
		return this.drainTimeout;
	}

	public void setDrainTimeout(Duration drainTimeout) {
		this.drainTimeout = drainTimeout;
	}

	public List<String> getExcludedPaths() {
		return this.excludedPaths;
	}

	public void setExcludedPaths(List<String> excludedPaths) {
		this.excludedPaths = excludedPaths;
	}

}

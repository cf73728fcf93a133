package io.github.wsdrain.sample;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Who may use the sample's {@code /actuator/wsdrain} endpoint: its drain switch closes
 * every session and refuses handshakes, and its listing shows every client's address.
 */
@ConfigurationProperties("wsdrain.sample.drain")
public class DrainSwitchProperties {

	/** Bearer token that grants access from anywhere; unset means no token is accepted. */
	private @Nullable String token;

	/** Whether requests from a loopback address need no token; turn off behind a proxy on the same host. */
	private boolean allowLoopback = true;

	public @Nullable String getToken() {
		return this.token;
	}

	public void setToken(@Nullable String token) {
		this.token = token;
	}

	public boolean isAllowLoopback() {
		return this.allowLoopback;
	}

	public void setAllowLoopback(boolean allowLoopback) {
		this.allowLoopback = allowLoopback;
	}

}

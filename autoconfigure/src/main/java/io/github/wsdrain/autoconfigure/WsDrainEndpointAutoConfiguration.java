package io.github.wsdrain.autoconfigure;

import io.github.wsdrain.actuate.WsDrainEndpoint;
import io.github.wsdrain.server.resume.ResumableSessions;
import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.shutdown.GracefulWebSocketShutdown;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code wsdrain} Actuator endpoint, when Actuator is on the
 * class path and the graceful shutdown (which owns draining mode) is on.
 */
@AutoConfiguration(after = WsDrainServerAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean({ DrainingSessionRegistry.class, GracefulWebSocketShutdown.class })
public final class WsDrainEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	WsDrainEndpoint wsDrainEndpoint(DrainingSessionRegistry registry, GracefulWebSocketShutdown shutdown,
			ObjectProvider<ResumableSessions> resumableSessions) {
		return new WsDrainEndpoint(registry, shutdown, resumableSessions.getIfAvailable());
	}

}

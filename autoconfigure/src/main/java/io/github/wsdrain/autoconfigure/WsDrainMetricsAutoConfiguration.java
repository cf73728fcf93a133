package io.github.wsdrain.autoconfigure;

import io.github.wsdrain.client.BufferedWebSocketClient;
import io.github.wsdrain.metrics.WsDrainClientMetrics;
import io.github.wsdrain.metrics.WsDrainServerMetrics;
import io.github.wsdrain.server.resume.ResumableSessions;
import io.github.wsdrain.server.DrainingSessionRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of wsdrain's Micrometer metrics, when Micrometer is on the class
 * path. Boot binds each {@link MeterBinder} to every meter registry it manages: the
 * server's when sessions are drained (with the {@code wsdrain.v1} meters when resumable
 * sessions are on), the client's when there is one {@link BufferedWebSocketClient}.
 */
@AutoConfiguration(after = { WsDrainServerAutoConfiguration.class, WsDrainClientAutoConfiguration.class })
@ConditionalOnClass(MeterBinder.class)
public final class WsDrainMetricsAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(DrainingSessionRegistry.class)
	static class ServerMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		WsDrainServerMetrics wsDrainServerMetrics(ObjectProvider<DrainingSessionRegistry> registry,
				ObjectProvider<ResumableSessions> resumableSessions) {
			return new WsDrainServerMetrics(registry, resumableSessions);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnSingleCandidate(BufferedWebSocketClient.class)
	static class ClientMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		WsDrainClientMetrics wsDrainClientMetrics(BufferedWebSocketClient client) {
			return new WsDrainClientMetrics(client);
		}

	}

}

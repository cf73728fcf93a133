package io.github.wsdrain.autoconfigure;

import io.github.wsdrain.metrics.WsDrainServerMetrics;
import io.github.wsdrain.protocol.ResumableSessions;
import io.github.wsdrain.server.DrainingSessionRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of wsdrain's Micrometer metrics, when Micrometer is on the class
 * path. Boot binds the {@link MeterBinder} to every meter registry it manages; the
 * {@code wsdrain.v1} meters are bound when resumable sessions are on.
 */
@AutoConfiguration(after = WsDrainServerAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(DrainingSessionRegistry.class)
public final class WsDrainMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	WsDrainServerMetrics wsDrainServerMetrics(ObjectProvider<DrainingSessionRegistry> registry,
			ObjectProvider<ResumableSessions> resumableSessions) {
		return new WsDrainServerMetrics(registry, resumableSessions);
	}

}

package io.github.wsdrain.autoconfigure;

import io.github.wsdrain.metrics.WsDrainServerMetrics;
import io.github.wsdrain.server.DrainingSessionRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WsDrainMetricsAutoConfiguration}.
 */
class WsDrainMetricsAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(WsDrainServerAutoConfiguration.class, WsDrainMetricsAutoConfiguration.class));

	@Test
	void bindsMetricsWhenMicrometerIsPresent() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(WsDrainServerMetrics.class));
	}

	@Test
	void withoutMicrometerTheServerStillDrains() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(MeterBinder.class))
			.run((context) -> assertThat(context).hasSingleBean(DrainingSessionRegistry.class)
				.doesNotHaveBean(WsDrainServerMetrics.class));
	}

	@Test
	void backsOffWhenTheServerSideIsDisabled() {
		this.contextRunner.withPropertyValues("wsdrain.server.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(WsDrainServerMetrics.class));
	}

}

package io.github.wsdrain.autoconfigure;

import io.github.wsdrain.actuate.WsDrainEndpoint;
import io.github.wsdrain.server.DrainingSessionRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WsDrainEndpointAutoConfiguration}.
 */
class WsDrainEndpointAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(WsDrainServerAutoConfiguration.class, WsDrainEndpointAutoConfiguration.class));

	@Test
	void endpointIsAvailableWhenExposed() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=wsdrain")
			.run((context) -> assertThat(context).hasSingleBean(WsDrainEndpoint.class));
	}

	@Test
	void endpointIsAbsentUnlessExposed() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(WsDrainEndpoint.class));
	}

	@Test
	void withoutActuatorTheServerStillDrains() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=wsdrain")
			.withClassLoader(new FilteredClassLoader(Endpoint.class))
			.run((context) -> assertThat(context).hasSingleBean(DrainingSessionRegistry.class)
				.doesNotHaveBean(WsDrainEndpoint.class));
	}

	@Test
	void endpointNeedsTheShutdownThatOwnsDrainingMode() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=wsdrain",
					"wsdrain.server.shutdown.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(WsDrainEndpoint.class));
	}

}

package io.github.wsdrain.autoconfigure;

import java.time.Duration;

import io.github.wsdrain.server.BrowserClientResources;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the browser client part of {@link WsDrainServerAutoConfiguration}.
 */
class BrowserClientAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(WsDrainServerAutoConfiguration.class));

	@Test
	void servesTheModuleByDefault() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(BrowserClientResources.class));
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("wsdrain.server.browser-client.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(BrowserClientResources.class));
	}

	@Test
	void backsOffWithoutSpringMvc() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(WebMvcConfigurer.class))
			.run((context) -> assertThat(context).doesNotHaveBean(BrowserClientResources.class));
	}

	@Test
	void userDefinedResourcesWin() {
		this.contextRunner.withUserConfiguration(CustomResourcesConfiguration.class)
			.run((context) -> assertThat(context.getBeanNamesForType(BrowserClientResources.class))
				.containsExactly("custom"));
	}

	@Test
	void aNegativeCachePeriodFailsWithThePropertyName() {
		this.contextRunner.withPropertyValues("wsdrain.server.browser-client.cache-period=-1s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("wsdrain.server.browser-client.cache-period"));
	}

	@Test
	void aHeartbeatMustBePositive() {
		this.contextRunner.withPropertyValues("wsdrain.server.resume.heartbeat=0s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("wsdrain.server.resume.heartbeat"));
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomResourcesConfiguration {

		@Bean
		BrowserClientResources custom() {
			return new BrowserClientResources(Duration.ofDays(1));
		}

	}

}

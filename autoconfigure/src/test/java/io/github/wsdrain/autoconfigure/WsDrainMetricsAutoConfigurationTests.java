package io.github.wsdrain.autoconfigure;

import io.github.wsdrain.client.BufferedWebSocketClient;
import io.github.wsdrain.metrics.WsDrainClientMetrics;
import io.github.wsdrain.metrics.WsDrainServerMetrics;
import io.github.wsdrain.server.resume.ResumableSessions;
import io.github.wsdrain.server.DrainingSessionRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

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
	void withoutMicrometerTheServerStillDrainsAndResumes() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(MeterBinder.class))
			.run((context) -> assertThat(context).hasSingleBean(DrainingSessionRegistry.class)
				.hasSingleBean(ResumableSessions.class)
				.doesNotHaveBean(WsDrainServerMetrics.class));
	}

	@Test
	void bindsTheResumeMetersWhenSessionsCanResume() {
		this.contextRunner.run((context) -> {
			SimpleMeterRegistry meters = new SimpleMeterRegistry();
			context.getBean(WsDrainServerMetrics.class).bindTo(meters);
			assertThat(meters.get("wsdrain.resumes").counters()).hasSize(3);
			assertThat(meters.get("wsdrain.unacknowledged.messages").gauge().value()).isZero();
			assertThat(meters.get("wsdrain.sessions").tag("state", "detached").gauge().value()).isZero();
		});
	}

	@Test
	void leavesOutTheResumeMetersWhenResumingIsOff() {
		this.contextRunner.withPropertyValues("wsdrain.server.resume.enabled=false").run((context) -> {
			SimpleMeterRegistry meters = new SimpleMeterRegistry();
			context.getBean(WsDrainServerMetrics.class).bindTo(meters);
			assertThat(meters.find("wsdrain.resumes").meters()).isEmpty();
			assertThat(meters.find("wsdrain.unacknowledged.messages").meters()).isEmpty();
			assertThat(meters.find("wsdrain.sessions").tag("state", "detached").meters()).isEmpty();
			assertThat(meters.find("wsdrain.sessions").tag("state", "open").meters()).hasSize(1);
		});
	}

	@Test
	void userDefinedMetricsWin() {
		this.contextRunner.withUserConfiguration(CustomMetricsConfiguration.class)
			.run((context) -> assertThat(context.getBeanNamesForType(WsDrainServerMetrics.class))
				.containsExactly("custom"));
	}

	@Test
	void backsOffWhenTheServerSideIsDisabled() {
		this.contextRunner.withPropertyValues("wsdrain.server.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(WsDrainServerMetrics.class));
	}

	@Test
	void bindsClientMetricsWhenMicrometerAndTheClientArePresent() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(WsDrainClientAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasSingleBean(WsDrainClientMetrics.class);
				SimpleMeterRegistry meters = new SimpleMeterRegistry();
				context.getBean(WsDrainClientMetrics.class).bindTo(meters);
				assertThat(meters.get("wsdrain.client.connections").gauge().value()).isZero();
				assertThat(meters.get("wsdrain.client.messages.dropped").functionCounter().count()).isZero();
			});
	}

	@Test
	void bindsClientMetricsWithoutTheServerSide() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(WsDrainClientAutoConfiguration.class))
			.withPropertyValues("wsdrain.server.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(WsDrainClientMetrics.class)
				.doesNotHaveBean(WsDrainServerMetrics.class));
	}

	@Test
	void withoutMicrometerTheClientIsThereWithoutMetrics() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(WsDrainClientAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(MeterBinder.class))
			.run((context) -> assertThat(context).hasSingleBean(BufferedWebSocketClient.class)
				.doesNotHaveBean(WsDrainClientMetrics.class));
	}

	@Test
	void leavesOutClientMetricsWithoutAClient() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(WsDrainClientMetrics.class));
	}

	@Test
	void userDefinedClientMetricsWin() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(WsDrainClientAutoConfiguration.class))
			.withUserConfiguration(CustomClientMetricsConfiguration.class)
			.run((context) -> assertThat(context.getBeanNamesForType(WsDrainClientMetrics.class))
				.containsExactly("custom"));
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomClientMetricsConfiguration {

		@Bean
		WsDrainClientMetrics custom(BufferedWebSocketClient client) {
			return new WsDrainClientMetrics(client);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomMetricsConfiguration {

		@Bean
		WsDrainServerMetrics custom(ObjectProvider<DrainingSessionRegistry> registry,
				ObjectProvider<ResumableSessions> resumableSessions) {
			return new WsDrainServerMetrics(registry, resumableSessions);
		}

	}

}

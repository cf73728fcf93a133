package io.github.wsdrain.autoconfigure;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.shutdown.GracefulWebSocketShutdown;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the graceful shutdown part of {@link WsDrainServerAutoConfiguration}
 * ({@code wsdrain.server.shutdown.*}).
 */
class WsDrainServerShutdownAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(WsDrainServerAutoConfiguration.class));

	@Test
	void whenNothingIsConfiguredThenTheShutdownClosesWith1001Within25SecondsBeforeTheWebServerStops() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(GracefulWebSocketShutdown.class);
			GracefulWebSocketShutdown shutdown = context.getBean(GracefulWebSocketShutdown.class);
			assertThat(shutdown.getCloseStatus()).isEqualTo(new CloseStatus(1001, "Server shutting down"));
			assertThat(shutdown.getTimeout()).isEqualTo(Duration.ofSeconds(25));
			assertThat(shutdown.getPhase()).isGreaterThan(SmartLifecycle.DEFAULT_PHASE - 1024)
				.isGreaterThan(0)
				.isLessThan(SmartLifecycle.DEFAULT_PHASE);
			assertThat(shutdown.isRunning()).isTrue();
			assertThat(shutdown.isAcceptingSessions()).isTrue();
		});
	}

	@Test
	void whenShutdownIsDisabledThenOnlyTheShutdownBacksOff() {
		this.contextRunner.withPropertyValues("wsdrain.server.shutdown.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(GracefulWebSocketShutdown.class);
			assertThat(context).hasSingleBean(DrainingSessionRegistry.class);
		});
	}

	@Test
	void whenWsDrainIsDisabledThenTheShutdownBacksOff() {
		this.contextRunner.withPropertyValues("wsdrain.server.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(GracefulWebSocketShutdown.class));
	}

	@Test
	void whenSpringWebSocketIsMissingThenTheShutdownBacksOff() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(WebSocketHandler.class))
			.run((context) -> assertThat(context).doesNotHaveBean(GracefulWebSocketShutdown.class));
	}

	@Test
	void whenTheUserDefinesAShutdownThenTheirsWins() {
		this.contextRunner.withUserConfiguration(CustomShutdownConfiguration.class)
			.run((context) -> assertThat(context.getBeanNamesForType(GracefulWebSocketShutdown.class))
				.containsExactly("custom"));
	}

	@Test
	void whenShutdownPropertiesAreSetThenTheyBind() {
		this.contextRunner
			.withPropertyValues("wsdrain.server.shutdown.timeout=3s", "wsdrain.server.shutdown.close-status=4000",
					"wsdrain.server.shutdown.close-reason=Moving to another node",
					"wsdrain.server.shutdown.retry-after=7s")
			.run((context) -> {
				GracefulWebSocketShutdown shutdown = context.getBean(GracefulWebSocketShutdown.class);
				assertThat(shutdown.getTimeout()).isEqualTo(Duration.ofSeconds(3));
				assertThat(shutdown.getCloseStatus()).isEqualTo(new CloseStatus(4000, "Moving to another node"));
			});
	}

	@Test
	void whenTheTimeoutIsNotPositiveThenStartUpFailsNamingTheProperty() {
		assertStartUpFails("wsdrain.server.shutdown.timeout=0s", "wsdrain.server.shutdown.timeout");
	}

	@Test
	void whenTheTimeoutDoesNotFitTheShutdownPhaseThenStartUpFailsNamingBothProperties() {
		assertStartUpFails("wsdrain.server.shutdown.timeout=30s", "spring.lifecycle.timeout-per-shutdown-phase");
	}

	@Test
	void whenTheShutdownPhaseIsLongerThenALongerTimeoutIsAccepted() {
		this.contextRunner
			.withPropertyValues("wsdrain.server.shutdown.timeout=50s", "spring.lifecycle.timeout-per-shutdown-phase=1m")
			.run((context) -> assertThat(context.getBean(GracefulWebSocketShutdown.class).getTimeout())
				.isEqualTo(Duration.ofSeconds(50)));
	}

	@Test
	void whenTheCloseStatusCannotBeSentThenStartUpFailsNamingTheProperty() {
		assertStartUpFails("wsdrain.server.shutdown.close-status=1006", "wsdrain.server.shutdown.close-status");
		assertStartUpFails("wsdrain.server.shutdown.close-status=5000", "wsdrain.server.shutdown.close-status");
	}

	@Test
	void whenTheCloseReasonDoesNotFitACloseFrameThenStartUpFailsNamingTheProperty() {
		assertStartUpFails("wsdrain.server.shutdown.close-reason=" + "x".repeat(124),
				"wsdrain.server.shutdown.close-reason");
	}

	@Test
	void whenRetryAfterIsNotPositiveThenStartUpFailsNamingTheProperty() {
		assertStartUpFails("wsdrain.server.shutdown.retry-after=0s", "wsdrain.server.shutdown.retry-after");
	}

	private void assertStartUpFails(String property, String named) {
		this.contextRunner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().hasMessageContaining(named);
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomShutdownConfiguration {

		@Bean
		GracefulWebSocketShutdown custom(DrainingSessionRegistry registry) {
			return new GracefulWebSocketShutdown(registry, Duration.ofSeconds(1), CloseStatus.SERVICE_RESTARTED,
					Duration.ofSeconds(1));
		}

	}

}

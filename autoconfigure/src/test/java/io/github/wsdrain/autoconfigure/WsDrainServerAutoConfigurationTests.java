package io.github.wsdrain.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

import io.github.wsdrain.server.DrainingHandlerMappingPostProcessor;
import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.server.ServerThreads;
import io.github.wsdrain.server.StompDrainingPostProcessor;
import io.github.wsdrain.server.resume.ResumableSessions;
import io.github.wsdrain.server.resume.ResumeSettings;
import io.github.wsdrain.session.DrainSettings;
import io.github.wsdrain.session.SendOverflowPolicy;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.simp.config.AbstractMessageBrokerConfiguration;
import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.WebSocketHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link WsDrainServerAutoConfiguration}.
 */
class WsDrainServerAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(WsDrainServerAutoConfiguration.class));

	@Test
	void drainsByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(DrainingSessionRegistry.class)
				.hasSingleBean(DrainingHandlerMappingPostProcessor.class)
				.hasSingleBean(StompDrainingPostProcessor.class);
			assertThat(context.getBean(DrainSettings.class)).isEqualTo(DrainSettings.DEFAULTS);
		});
	}

	@Test
	void registryUsesTheServersThreadsWhichStopWithTheContext() {
		ServerThreads[] threads = new ServerThreads[1];
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(ServerThreads.class);
			threads[0] = context.getBean(ServerThreads.class);
			assertThat(context.getBean(DrainingSessionRegistry.class).getThreads()).isSameAs(threads[0]);
		});
		assertThatExceptionOfType(RejectedExecutionException.class)
			.isThrownBy(() -> threads[0].executor().execute(() -> {
			}));
		assertThat(threads[0].timer().isShutdown()).isTrue();
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("wsdrain.server.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(DrainingSessionRegistry.class)
				.doesNotHaveBean(DrainingHandlerMappingPostProcessor.class)
				.doesNotHaveBean(StompDrainingPostProcessor.class));
	}

	@Test
	void backsOffWithoutSpringWebSocket() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(WebSocketHandler.class))
			.run((context) -> assertThat(context).doesNotHaveBean(DrainingSessionRegistry.class)
				.doesNotHaveBean(DrainingHandlerMappingPostProcessor.class));
	}

	@Test
	void leavesStompAloneWithoutSpringMessaging() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(AbstractMessageBrokerConfiguration.class))
			.run((context) -> assertThat(context).hasSingleBean(DrainingSessionRegistry.class)
				.doesNotHaveBean(StompDrainingPostProcessor.class));
	}

	@Test
	void backsOffOutsideAServletApplication() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(WsDrainServerAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(DrainingSessionRegistry.class));
	}

	@Test
	void userDefinedRegistryWins() {
		this.contextRunner.withUserConfiguration(CustomRegistryConfiguration.class)
			.run((context) -> assertThat(context.getBeanNamesForType(DrainingSessionRegistry.class))
				.containsExactly("custom"));
	}

	@Test
	void propertiesBindToTheSettings() {
		this.contextRunner
			.withPropertyValues("wsdrain.server.drain-timeout=250ms", "wsdrain.server.send-buffer-size=64KB",
					"wsdrain.server.send-time-limit=2s", "wsdrain.server.overflow=drop-oldest")
			.run((context) -> assertThat(context.getBean(DrainSettings.class)).isEqualTo(new DrainSettings(
					DataSize.ofKilobytes(64), Duration.ofSeconds(2), SendOverflowPolicy.DROP_OLDEST, Duration.ofMillis(250))));
	}

	@Test
	void closeBarrierIsOnByDefaultAndItsPropertiesBind() {
		this.contextRunner.run((context) -> assertThat(context.getBean(DrainSettings.class).closeBarrierTimeout())
			.isEqualTo(Duration.ofSeconds(5)));
		this.contextRunner.withPropertyValues("wsdrain.server.close-barrier.timeout=750ms")
			.run((context) -> assertThat(context.getBean(DrainSettings.class).closeBarrierTimeout())
				.isEqualTo(Duration.ofMillis(750)));
		this.contextRunner.withPropertyValues("wsdrain.server.close-barrier.enabled=false")
			.run((context) -> assertThat(context.getBean(DrainSettings.class).closeBarrierTimeout()).isZero());
	}

	@Test
	void zeroCloseBarrierTimeoutFailsStartUpNamingTheProperty() {
		assertStartUpFailsNaming("wsdrain.server.close-barrier.timeout=0s", "wsdrain.server.close-barrier.timeout");
	}

	@Test
	void zeroDrainTimeoutFailsStartUpNamingTheProperty() {
		assertStartUpFailsNaming("wsdrain.server.drain-timeout=0s", "wsdrain.server.drain-timeout");
	}

	@Test
	void negativeSendTimeLimitFailsStartUpNamingTheProperty() {
		assertStartUpFailsNaming("wsdrain.server.send-time-limit=-1s", "wsdrain.server.send-time-limit");
	}

	@Test
	void zeroSendBufferSizeFailsStartUpNamingTheProperty() {
		assertStartUpFailsNaming("wsdrain.server.send-buffer-size=0B", "wsdrain.server.send-buffer-size");
	}

	@Test
	void unknownOverflowPolicyFailsStartUpNamingTheProperty() {
		assertStartUpFailsNaming("wsdrain.server.overflow=sometimes", "wsdrain.server.overflow");
	}

	@Test
	void offersResumableSessionsByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(ResumableSessions.class);
			assertThat(context.getBean(ResumeSettings.class)).isEqualTo(ResumeSettings.DEFAULTS);
		});
	}

	@Test
	void resumeBacksOffWhenDisabledWhileDrainingStays() {
		this.contextRunner.withPropertyValues("wsdrain.server.resume.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ResumableSessions.class)
				.doesNotHaveBean(ResumeSettings.class)
				.hasSingleBean(DrainingSessionRegistry.class));
	}

	@Test
	void userDefinedResumableSessionsWin() {
		this.contextRunner.withUserConfiguration(CustomResumableSessionsConfiguration.class)
			.run((context) -> assertThat(context.getBeanNamesForType(ResumableSessions.class))
				.containsExactly("customResumableSessions"));
	}

	@Test
	void resumePropertiesBindToTheResumeSettings() {
		this.contextRunner
			.withPropertyValues("wsdrain.server.ack-timeout=750ms", "wsdrain.server.resume.window=30s",
					"wsdrain.server.resume.buffer-size=100KB", "wsdrain.server.send-time-limit=3s")
			.run((context) -> assertThat(context.getBean(ResumeSettings.class)).isEqualTo(new ResumeSettings(
					Duration.ofMillis(750), Duration.ofSeconds(30), DataSize.ofKilobytes(100), Duration.ofSeconds(3))));
	}

	@Test
	void replayBufferGrowthPropertiesBindToTheResumeSettings() {
		this.contextRunner
			.withPropertyValues("wsdrain.server.resume.max-buffer-size=8MB",
					"wsdrain.server.resume.shared-buffer-size=100MB")
			.run((context) -> {
				ResumeSettings settings = context.getBean(ResumeSettings.class);
				assertThat(settings.maxBufferSize()).isEqualTo(DataSize.ofMegabytes(8));
				assertThat(settings.sharedBufferSize()).isEqualTo(DataSize.ofMegabytes(100));
				assertThat(context.getBean(ResumableSessions.class).getReplayBudget().capacity())
					.isEqualTo(DataSize.ofMegabytes(100).toBytes());
			});
	}

	@Test
	void byDefaultReplayBuffersGrowTo32MegabytesAndShareAnEighthOfTheHeap() {
		this.contextRunner.run((context) -> {
			ResumeSettings settings = context.getBean(ResumeSettings.class);
			assertThat(settings.maxBufferSize()).isEqualTo(DataSize.ofMegabytes(32));
			assertThat(settings.sharedBufferSize().toBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 8);
		});
	}

	@Test
	void zeroMaxBufferSizeFailsStartUpNamingTheProperty() {
		assertStartUpFailsNaming("wsdrain.server.resume.max-buffer-size=0B", "wsdrain.server.resume.max-buffer-size");
	}

	@Test
	void negativeSharedBufferSizeFailsStartUpNamingTheProperty() {
		assertStartUpFailsNaming("wsdrain.server.resume.shared-buffer-size=-1MB",
				"wsdrain.server.resume.shared-buffer-size");
	}

	@Test
	void zeroAckTimeoutFailsStartUpNamingTheProperty() {
		assertStartUpFailsNaming("wsdrain.server.ack-timeout=0s", "wsdrain.server.ack-timeout");
	}

	@Test
	void zeroResumeAckTimeoutFailsStartUpNamingTheProperty() {
		assertStartUpFailsNaming("wsdrain.server.resume.ack-timeout=0s", "wsdrain.server.resume.ack-timeout");
	}

	@Test
	void negativeResumeWindowFailsStartUpNamingTheProperty() {
		assertStartUpFailsNaming("wsdrain.server.resume.window=-1s", "wsdrain.server.resume.window");
	}

	@Test
	void zeroResumeBufferSizeFailsStartUpNamingTheProperty() {
		assertStartUpFailsNaming("wsdrain.server.resume.buffer-size=0B", "wsdrain.server.resume.buffer-size");
	}

	private void assertStartUpFailsNaming(String property, String name) {
		this.contextRunner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).hasStackTraceContaining(name);
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomResumableSessionsConfiguration {

		@Bean(destroyMethod = "destroy")
		ResumableSessions customResumableSessions() {
			return new ResumableSessions(ResumeSettings.DEFAULTS);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomRegistryConfiguration {

		@Bean
		DrainingSessionRegistry custom() {
			return new DrainingSessionRegistry(DrainSettings.DEFAULTS, List.of());
		}

	}

}

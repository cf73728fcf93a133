package io.github.wsdrain.autoconfigure;

import java.time.Duration;
import java.util.List;

import io.github.wsdrain.server.BrowserClientResources;
import io.github.wsdrain.server.DrainingHandlerMappingPostProcessor;
import io.github.wsdrain.server.DrainingSessionRegistry;
import io.github.wsdrain.server.ServerThreads;
import io.github.wsdrain.server.StompDrainingPostProcessor;
import io.github.wsdrain.server.resume.DetachedSessionLimits;
import io.github.wsdrain.server.resume.ResumableSessions;
import io.github.wsdrain.server.resume.ResumeListener;
import io.github.wsdrain.server.resume.ResumeSettings;
import io.github.wsdrain.server.resume.ResumeStore;
import io.github.wsdrain.session.DrainSettings;
import io.github.wsdrain.session.DrainingSessionListener;
import io.github.wsdrain.shutdown.GracefulWebSocketShutdown;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.thread.Threading;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.messaging.simp.config.AbstractMessageBrokerConfiguration;
import org.springframework.util.unit.DataSize;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.support.WebSocketHandlerMapping;

/**
 * Auto-configuration that drains every WebSocket server session of a servlet
 * application before it closes.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = Type.SERVLET)
@ConditionalOnClass({ WebSocketHandler.class, WebSocketHandlerMapping.class })
@ConditionalOnBooleanProperty(name = "wsdrain.server.enabled", matchIfMissing = true)
@EnableConfigurationProperties(WsDrainServerProperties.class)
public final class WsDrainServerAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	DrainSettings wsDrainSettings(WsDrainServerProperties properties) {
		WsDrainServerProperties.CloseBarrier closeBarrier = properties.getCloseBarrier();
		Duration closeBarrierTimeout = PropertyChecks.positive("wsdrain.server.close-barrier.timeout",
				closeBarrier.getTimeout());
		return new DrainSettings(
				PropertyChecks.positive("wsdrain.server.send-buffer-size", properties.getSendBufferSize()),
				PropertyChecks.positive("wsdrain.server.send-time-limit", properties.getSendTimeLimit()),
				properties.getOverflow(),
				PropertyChecks.positive("wsdrain.server.drain-timeout", properties.getDrainTimeout()),
				closeBarrier.isEnabled() ? closeBarrierTimeout : Duration.ZERO);
	}

	@Bean
	@ConditionalOnMissingBean
	ServerThreads wsDrainServerThreads(WsDrainServerProperties properties, Environment environment) {
		return new ServerThreads(Threading.VIRTUAL.isActive(environment),
				PropertyChecks.positive("wsdrain.server.max-threads", properties.getMaxThreads()),
				PropertyChecks.positive("wsdrain.server.max-queued-tasks", properties.getMaxQueuedTasks()));
	}

	@Bean
	@ConditionalOnMissingBean
	DrainingSessionRegistry drainingSessionRegistry(DrainSettings settings,
			ObjectProvider<DrainingSessionListener> listeners, ServerThreads threads) {
		return new DrainingSessionRegistry(settings, listeners.orderedStream().toList(), threads);
	}

	@Bean
	@ConditionalOnMissingBean
	static DrainingHandlerMappingPostProcessor drainingHandlerMappingPostProcessor(
			ObjectProvider<DrainingSessionRegistry> registry, ObjectProvider<ResumableSessions> resumable,
			Environment environment) {
		// A post-processor is created before @ConfigurationProperties beans: bind the list directly.
		List<String> excludedPaths = Binder.get(environment)
			.bind("wsdrain.server.excluded-paths", Bindable.listOf(String.class))
			.orElse(List.of());
		return new DrainingHandlerMappingPostProcessor(registry, resumable, excludedPaths);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = "wsdrain.server.resume.enabled", matchIfMissing = true)
	@Import(ResumeStoreConfiguration.class)
	static class ResumeConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ResumeSettings wsDrainResumeSettings(WsDrainServerProperties properties, Environment environment) {
			// A bad value is reported under the key that set it, the deprecated one included.
			String ackTimeoutName = (environment.containsProperty("wsdrain.server.ack-timeout")
					&& !environment.containsProperty("wsdrain.server.resume.ack-timeout"))
							? "wsdrain.server.ack-timeout" : "wsdrain.server.resume.ack-timeout";
			WsDrainServerProperties.Resume resume = properties.getResume();
			DataSize shared = resume.getSharedBufferSize();
			return new ResumeSettings(PropertyChecks.positive(ackTimeoutName, resume.getAckTimeout()),
					PropertyChecks.positive("wsdrain.server.resume.window", resume.getWindow()),
					PropertyChecks.positive("wsdrain.server.resume.buffer-size", resume.getBufferSize()),
					PropertyChecks.positive("wsdrain.server.send-time-limit", properties.getSendTimeLimit()),
					PropertyChecks.positive("wsdrain.server.resume.heartbeat", resume.getHeartbeat()),
					PropertyChecks.positive("wsdrain.server.resume.max-buffer-size", resume.getMaxBufferSize()),
					(shared != null) ? PropertyChecks.notNegative("wsdrain.server.resume.shared-buffer-size", shared)
							: ResumeSettings.defaultSharedBufferSize());
		}

		@Bean
		@ConditionalOnMissingBean
		DetachedSessionLimits wsDrainDetachedSessionLimits(WsDrainServerProperties properties) {
			WsDrainServerProperties.Resume resume = properties.getResume();
			DataSize bytes = resume.getMaxDetachedBytes();
			return new DetachedSessionLimits(
					PropertyChecks.positive("wsdrain.server.resume.max-detached-sessions",
							resume.getMaxDetachedSessions()),
					(bytes != null)
							? PropertyChecks.positive("wsdrain.server.resume.max-detached-bytes", bytes).toBytes()
							: DetachedSessionLimits.defaultBytes(),
					PropertyChecks.positive("wsdrain.server.resume.max-detached-sessions-per-address",
							resume.getMaxDetachedSessionsPerAddress()),
					PropertyChecks
						.positive("wsdrain.server.resume.max-detached-bytes-per-address",
								resume.getMaxDetachedBytesPerAddress())
						.toBytes(),
					PropertyChecks.positive("wsdrain.server.resume.max-detached-sessions-per-principal",
							resume.getMaxDetachedSessionsPerPrincipal()),
					PropertyChecks
						.positive("wsdrain.server.resume.max-detached-bytes-per-principal",
								resume.getMaxDetachedBytesPerPrincipal())
						.toBytes());
		}

		@Bean
		@ConditionalOnMissingBean
		ResumableSessions resumableSessions(ResumeSettings settings, DetachedSessionLimits limits,
				ObjectProvider<ResumeListener> listeners, ServerThreads threads, ResumeStore store) {
			return new ResumableSessions(settings, limits, listeners.orderedStream().toList(), threads.timer(),
					threads.executor(), store);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = "wsdrain.server.shutdown.enabled", matchIfMissing = true)
	static class ShutdownConfiguration {

		/** Spring Boot's default for {@code spring.lifecycle.timeout-per-shutdown-phase}. */
		private static final Duration DEFAULT_SHUTDOWN_PHASE_TIMEOUT = Duration.ofSeconds(30);

		@Bean
		@ConditionalOnMissingBean
		GracefulWebSocketShutdown gracefulWebSocketShutdown(DrainingSessionRegistry registry,
				ObjectProvider<ResumableSessions> resumableSessions, WsDrainServerProperties properties,
				Environment environment) {
			WsDrainServerProperties.Shutdown shutdown = properties.getShutdown();
			Duration phaseTimeout = Binder.get(environment)
				.bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
				.orElse(DEFAULT_SHUTDOWN_PHASE_TIMEOUT);
			Duration timeout = PropertyChecks.shorterThan("wsdrain.server.shutdown.timeout",
					PropertyChecks.positive("wsdrain.server.shutdown.timeout", shutdown.getTimeout()),
					"spring.lifecycle.timeout-per-shutdown-phase", phaseTimeout);
			CloseStatus closeStatus = new CloseStatus(
					PropertyChecks.sendableCloseCode("wsdrain.server.shutdown.close-status", shutdown.getCloseStatus()),
					PropertyChecks.closeReason("wsdrain.server.shutdown.close-reason", shutdown.getCloseReason()));
			return new GracefulWebSocketShutdown(registry, resumableSessions.getIfAvailable(), timeout, closeStatus,
					PropertyChecks.positive("wsdrain.server.shutdown.retry-after", shutdown.getRetryAfter()));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(WebMvcConfigurer.class)
	@ConditionalOnBooleanProperty(name = "wsdrain.server.browser-client.enabled", matchIfMissing = true)
	static class BrowserClientConfiguration {

		@Bean
		@ConditionalOnMissingBean
		BrowserClientResources wsDrainBrowserClientResources(WsDrainServerProperties properties) {
			Duration cachePeriod = properties.getBrowserClient().getCachePeriod();
			if (cachePeriod.isNegative()) {
				throw new IllegalArgumentException(
						"wsdrain.server.browser-client.cache-period must not be negative, was " + cachePeriod);
			}
			return new BrowserClientResources(cachePeriod);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(AbstractMessageBrokerConfiguration.class)
	static class StompConfiguration {

		@Bean
		@ConditionalOnMissingBean
		static StompDrainingPostProcessor stompDrainingPostProcessor() {
			return new StompDrainingPostProcessor();
		}

	}

}

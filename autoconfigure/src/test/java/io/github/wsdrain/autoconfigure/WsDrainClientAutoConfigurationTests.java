package io.github.wsdrain.autoconfigure;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.github.wsdrain.client.BufferedWebSocketClient;
import io.github.wsdrain.client.ReceiveOverflowPolicy;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.task.SimpleAsyncTaskSchedulerBuilder;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.scheduling.concurrent.ConcurrentTaskScheduler;
import org.springframework.scheduling.concurrent.SimpleAsyncTaskScheduler;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.client.WebSocketClient;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link WsDrainClientAutoConfiguration}.
 */
class WsDrainClientAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(WsDrainClientAutoConfiguration.class));

	@Test
	void whenNothingIsConfiguredThenABufferedClientOnAStandardClientWithTheDefaultsIsPresent() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(BufferedWebSocketClient.class);
			BufferedWebSocketClient client = context.getBean(BufferedWebSocketClient.class);
			assertThat(client.getWebSocketClient()).isInstanceOf(StandardWebSocketClient.class);
			assertThat(client.getConnectTimeout()).isEqualTo(Duration.ofSeconds(10));
			assertThat(client.getReceiveTimeout()).isEqualTo(Duration.ofSeconds(30));
			assertThat(client.getCloseTimeout()).isEqualTo(Duration.ofSeconds(10));
			assertThat(client.getMaxBufferedMessages()).isEqualTo(1000);
			assertThat(client.getMaxBufferedBytes()).isEqualTo(DataSize.ofMegabytes(4));
			assertThat(client.getOverflowPolicy()).isEqualTo(ReceiveOverflowPolicy.BLOCK);
		});
	}

	@Test
	void whenDisabledThenBacksOff() {
		this.contextRunner.withPropertyValues("wsdrain.client.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(BufferedWebSocketClient.class));
	}

	@Test
	void whenTheUserDefinesABufferedClientThenTheirsWins() {
		this.contextRunner.withUserConfiguration(CustomClientConfiguration.class)
			.run((context) -> assertThat(context.getBeanNamesForType(BufferedWebSocketClient.class))
				.containsExactly("custom"));
	}

	@Test
	void whenTheUserDefinesAWebSocketClientThenTheBufferedClientWrapsIt() {
		this.contextRunner.withUserConfiguration(WebSocketClientConfiguration.class)
			.run((context) -> assertThat(context.getBean(BufferedWebSocketClient.class).getWebSocketClient())
				.isSameAs(context.getBean("userWebSocketClient")));
	}

	@Test
	void whenSpringWebSocketIsMissingThenBacksOff() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(WebSocketClient.class))
			.run((context) -> assertThat(context).doesNotHaveBean(BufferedWebSocketClient.class));
	}

	@Test
	void whenJakartaWebSocketIsMissingThenBacksOff() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("jakarta.websocket"))
			.run((context) -> assertThat(context).doesNotHaveBean(BufferedWebSocketClient.class));
	}

	@Test
	void whenPropertiesAreSetThenTheyBind() {
		this.contextRunner
			.withPropertyValues("wsdrain.client.receive-timeout=250ms", "wsdrain.client.close-timeout=2s",
					"wsdrain.client.connect-timeout=3s", "wsdrain.client.buffer.max-messages=16",
					"wsdrain.client.buffer.max-bytes=64KB", "wsdrain.client.buffer.overflow=drop-oldest")
			.run((context) -> {
				BufferedWebSocketClient client = context.getBean(BufferedWebSocketClient.class);
				assertThat(client.getReceiveTimeout()).isEqualTo(Duration.ofMillis(250));
				assertThat(client.getCloseTimeout()).isEqualTo(Duration.ofSeconds(2));
				assertThat(client.getConnectTimeout()).isEqualTo(Duration.ofSeconds(3));
				assertThat(client.getMaxBufferedMessages()).isEqualTo(16);
				assertThat(client.getMaxBufferedBytes()).isEqualTo(DataSize.ofKilobytes(64));
				assertThat(client.getOverflowPolicy()).isEqualTo(ReceiveOverflowPolicy.DROP_OLDEST);
			});
	}

	@Test
	void whenCustomizersExistThenTheyApplyInOrderAfterTheProperties() {
		this.contextRunner.withPropertyValues("wsdrain.client.buffer.max-messages=16")
			.withUserConfiguration(CustomizerConfiguration.class)
			.run((context) -> assertThat(context.getBean(BufferedWebSocketClient.class).getMaxBufferedMessages())
				.isEqualTo(32));
	}

	@Test
	void whenReceiveTimeoutIsZeroThenStartupFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("wsdrain.client.receive-timeout=0s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessage("Property wsdrain.client.receive-timeout with value 'PT0S' is invalid: must be a positive duration"));
	}

	@Test
	void whenCloseTimeoutIsNegativeThenStartupFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("wsdrain.client.close-timeout=-1s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageStartingWith("Property wsdrain.client.close-timeout with value 'PT-1S' is invalid"));
	}

	@Test
	void whenBufferSizesAreZeroThenStartupFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("wsdrain.client.buffer.max-messages=0")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessage("Property wsdrain.client.buffer.max-messages with value '0' is invalid: must be positive"));
		this.contextRunner.withPropertyValues("wsdrain.client.buffer.max-bytes=0B")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessage("Property wsdrain.client.buffer.max-bytes with value '0B' is invalid: must be a positive size"));
	}

	@Test
	void whenReliableAndReconnectPropertiesAreSetThenTheyBind() {
		this.contextRunner
			.withPropertyValues("wsdrain.client.reliable.enabled=true", "wsdrain.client.reliable.buffer-size=256KB",
					"wsdrain.client.reliable.send-timeout=3s", "wsdrain.client.reliable.heartbeat-timeout=20s",
					"wsdrain.client.reconnect.initial-delay=0ms",
					"wsdrain.client.reconnect.max-delay=30s", "wsdrain.client.reconnect.multiplier=1.5",
					"wsdrain.client.reconnect.max-attempts=5")
			.run((context) -> {
				BufferedWebSocketClient client = context.getBean(BufferedWebSocketClient.class);
				assertThat(client.isReliable()).isTrue();
				assertThat(client.getReplayBufferSize()).isEqualTo(DataSize.ofKilobytes(256));
				assertThat(client.getSendTimeLimit()).isEqualTo(Duration.ofSeconds(3));
				assertThat(client.getHeartbeatTimeout()).isEqualTo(Duration.ofSeconds(20));
				assertThat(client.getReconnectBackOff()).isInstanceOfSatisfying(ExponentialBackOff.class, (backOff) -> {
					assertThat(backOff.getInitialInterval()).isZero();
					assertThat(backOff.getMaxInterval()).isEqualTo(30_000);
					assertThat(backOff.getMultiplier()).isEqualTo(1.5);
					assertThat(backOff.getMaxAttempts()).isEqualTo(5);
				});
			});
	}

	@Test
	void theSendTimeLimitBindsUnderItsNameAsOnTheServer() {
		this.contextRunner.withPropertyValues("wsdrain.client.reliable.send-time-limit=4s")
			.run((context) -> assertThat(context.getBean(BufferedWebSocketClient.class).getSendTimeLimit())
				.isEqualTo(Duration.ofSeconds(4)));
	}

	@Test
	void theClientsThreadsComeFromBootsSchedulerBuilder() {
		AtomicBoolean customized = new AtomicBoolean();
		this.contextRunner
			.withBean(SimpleAsyncTaskSchedulerBuilder.class,
					() -> new SimpleAsyncTaskSchedulerBuilder().customizers((scheduler) -> customized.set(true)))
			.run((context) -> {
				assertThat(context).hasSingleBean(BufferedWebSocketClient.class);
				assertThat(customized).isTrue();
			});
	}

	@Test
	void theClientsPlatformThreadsAreKeptBetweenTasks() {
		AtomicReference<SimpleAsyncTaskScheduler> built = new AtomicReference<>();
		this.contextRunner
			.withBean(SimpleAsyncTaskSchedulerBuilder.class,
					() -> new SimpleAsyncTaskSchedulerBuilder().customizers(built::set))
			.run((context) -> {
				assertThat(context).hasSingleBean(BufferedWebSocketClient.class);
				SimpleAsyncTaskScheduler scheduler = built.get();
				Thread first = scheduler.submitCompletable(Thread::currentThread).get(10, TimeUnit.SECONDS);
				Awaitility.await()
					.pollInterval(Duration.ofMillis(2))
					.atMost(Duration.ofSeconds(10))
					.until(() -> first.getState() == Thread.State.TIMED_WAITING);
				Thread second = scheduler.submitCompletable(Thread::currentThread).get(10, TimeUnit.SECONDS);
				assertThat(second).isSameAs(first);
				assertThat(first.getName()).startsWith("wsdrain-client-");
				assertThat(first.isDaemon()).isTrue();
				context.close();
				first.join(Duration.ofSeconds(10).toMillis());
				assertThat(first.isAlive()).isFalse();
			});
	}

	@Test
	void theClientsThreadsStopWhenTheContextCloses() {
		ClosableScheduler scheduler = new ClosableScheduler();
		this.contextRunner.withBean(BufferedWebSocketClientCustomizer.class, () -> (client) -> client.setTaskScheduler(scheduler))
			.run((context) -> {
				BufferedWebSocketClient client = context.getBean(BufferedWebSocketClient.class);
				assertThat(scheduler.closed).isFalse();
				context.close();
				assertThat(scheduler.closed).isTrue();
				assertThatIllegalStateException()
					.isThrownBy(() -> client.connectReliable(URI.create("ws://localhost:1/feed"), null))
					.withMessageContaining("closed");
			});
	}

	@Test
	void whenNothingIsConfiguredThenConnectionsAreNotReliableAndTheBackoffIsTheDefault() {
		this.contextRunner.run((context) -> {
			BufferedWebSocketClient client = context.getBean(BufferedWebSocketClient.class);
			assertThat(client.isReliable()).isFalse();
			assertThat(client.getReconnectBackOff()).isInstanceOfSatisfying(ExponentialBackOff.class, (backOff) -> {
				assertThat(backOff.getInitialInterval()).isEqualTo(100);
				assertThat(backOff.getMaxInterval()).isEqualTo(10_000);
				assertThat(backOff.getMultiplier()).isEqualTo(2.0);
				assertThat(backOff.getMaxAttempts()).isEqualTo(20);
				assertThat(backOff.getJitter()).isEqualTo(50);
			});
		});
	}

	@Test
	void whenReconnectSettingsContradictThenStartupFailsNamingTheProperty() {
		this.contextRunner
			.withPropertyValues("wsdrain.client.reconnect.initial-delay=5s", "wsdrain.client.reconnect.max-delay=1s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessage("Property wsdrain.client.reconnect.max-delay with value 'PT1S' is invalid: must not be "
						+ "shorter than wsdrain.client.reconnect.initial-delay (PT5S)"));
		this.contextRunner.withPropertyValues("wsdrain.client.reconnect.multiplier=0.5")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessage("Property wsdrain.client.reconnect.multiplier with value '0.5' is invalid: must be at least 1"));
		this.contextRunner.withPropertyValues("wsdrain.client.reconnect.max-attempts=0")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessage("Property wsdrain.client.reconnect.max-attempts with value '0' is invalid: must be positive"));
		this.contextRunner.withPropertyValues("wsdrain.client.reliable.buffer-size=0B")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessage("Property wsdrain.client.reliable.buffer-size with value '0B' is invalid: must be a positive size"));
	}

	@Test
	void whenOverflowIsUnknownThenStartupFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("wsdrain.client.buffer.overflow=explode")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("Failed to bind properties under 'wsdrain.client.buffer.overflow'"));
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomClientConfiguration {

		@Bean
		BufferedWebSocketClient custom() {
			return new BufferedWebSocketClient(new StandardWebSocketClient());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class WebSocketClientConfiguration {

		@Bean
		StandardWebSocketClient userWebSocketClient() {
			return new StandardWebSocketClient();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomizerConfiguration {

		@Bean
		@Order(2)
		BufferedWebSocketClientCustomizer doubleMaxMessages() {
			return (client) -> client.setMaxBufferedMessages(client.getMaxBufferedMessages() * 2);
		}

		@Bean
		@Order(1)
		BufferedWebSocketClientCustomizer addOverflowPolicy() {
			return (client) -> client.setOverflowPolicy(ReceiveOverflowPolicy.FAIL);
		}

	}

	/** A scheduler that records being closed; nothing is scheduled on it here. */
	static final class ClosableScheduler extends ConcurrentTaskScheduler implements AutoCloseable {

		volatile boolean closed;

		@Override
		public void close() {
			this.closed = true;
		}

	}

}

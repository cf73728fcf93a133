package io.github.wsdrain.autoconfigure;

import java.time.Duration;

import io.github.wsdrain.client.BufferedWebSocketClient;
import io.github.wsdrain.client.ClientTaskScheduler;
import jakarta.websocket.WebSocketContainer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.task.SimpleAsyncTaskSchedulerBuilder;
import org.springframework.boot.thread.Threading;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.concurrent.SimpleAsyncTaskScheduler;
import org.springframework.util.backoff.BackOff;
import org.springframework.web.socket.client.WebSocketClient;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;

/**
 * Auto-configuration for the {@link BufferedWebSocketClient}: wraps the application's
 * {@link WebSocketClient} bean if there is exactly one, else a
 * {@link StandardWebSocketClient}. The client's threads come from Spring Boot's
 * {@link SimpleAsyncTaskSchedulerBuilder} (virtual when {@code spring.threads.virtual.enabled}),
 * belong to the client bean and stop when the context closes it.
 */
@AutoConfiguration(after = TaskSchedulingAutoConfiguration.class)
@ConditionalOnClass({ WebSocketClient.class, WebSocketContainer.class })
@ConditionalOnBooleanProperty(name = "wsdrain.client.enabled", matchIfMissing = true)
@EnableConfigurationProperties(WsDrainClientProperties.class)
public final class WsDrainClientAutoConfiguration {

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	BufferedWebSocketClient bufferedWebSocketClient(WsDrainClientProperties properties,
			ObjectProvider<WebSocketClient> webSocketClient, ObjectProvider<BufferedWebSocketClientCustomizer> customizers,
			ObjectProvider<SimpleAsyncTaskSchedulerBuilder> schedulerBuilder, Environment environment) {
		validate(properties);
		BufferedWebSocketClient client = new BufferedWebSocketClient(
				webSocketClient.getIfUnique(StandardWebSocketClient::new));
		client.setTaskScheduler(taskScheduler(schedulerBuilder, environment));
		PropertyMapper map = PropertyMapper.get();
		map.from(properties::getConnectTimeout).to(client::setConnectTimeout);
		map.from(properties::getReceiveTimeout).to(client::setReceiveTimeout);
		map.from(properties::getCloseTimeout).to(client::setCloseTimeout);
		WsDrainClientProperties.Buffer buffer = properties.getBuffer();
		map.from(buffer::getMaxMessages).to(client::setMaxBufferedMessages);
		map.from(buffer::getMaxBytes).to(client::setMaxBufferedBytes);
		map.from(buffer::getOverflow).to(client::setOverflowPolicy);
		WsDrainClientProperties.Reliable reliable = properties.getReliable();
		map.from(reliable::isEnabled).to(client::setReliable);
		map.from(reliable::getBufferSize).to(client::setReplayBufferSize);
		map.from(reliable::getSendTimeLimit).to(client::setSendTimeLimit);
		map.from(reliable::getHeartbeatTimeout).to(client::setHeartbeatTimeout);
		client.setReconnectBackOff(backOff(properties.getReconnect()));
		customizers.orderedStream().forEach((customizer) -> customizer.customize(client));
		return client;
	}

	private static void validate(WsDrainClientProperties properties) {
		PropertyChecks.positive("wsdrain.client.connect-timeout", properties.getConnectTimeout());
		PropertyChecks.positive("wsdrain.client.receive-timeout", properties.getReceiveTimeout());
		PropertyChecks.positive("wsdrain.client.close-timeout", properties.getCloseTimeout());
		WsDrainClientProperties.Buffer buffer = properties.getBuffer();
		PropertyChecks.positive("wsdrain.client.buffer.max-messages", buffer.getMaxMessages());
		PropertyChecks.positive("wsdrain.client.buffer.max-bytes", buffer.getMaxBytes());
		PropertyChecks.required("wsdrain.client.buffer.overflow", buffer.getOverflow());
		WsDrainClientProperties.Reliable reliable = properties.getReliable();
		PropertyChecks.positive("wsdrain.client.reliable.buffer-size", reliable.getBufferSize());
		PropertyChecks.positive("wsdrain.client.reliable.send-time-limit", reliable.getSendTimeLimit());
		PropertyChecks.positive("wsdrain.client.reliable.heartbeat-timeout", reliable.getHeartbeatTimeout());
	}

	/**
	 * Not a bean of its own: the client owns it and closes it. Boot's builder, when there is
	 * one, brings the application's scheduling settings, virtual threads included; platform
	 * threads are kept between tasks instead of started per task.
	 */
	private static SimpleAsyncTaskScheduler taskScheduler(ObjectProvider<SimpleAsyncTaskSchedulerBuilder> builder,
			Environment environment) {
		SimpleAsyncTaskSchedulerBuilder configured = builder.getIfAvailable(
				() -> new SimpleAsyncTaskSchedulerBuilder().virtualThreads(Threading.VIRTUAL.isActive(environment)));
		return ClientTaskScheduler.create(configured::configure);
	}

	private static BackOff backOff(WsDrainClientProperties.Reconnect reconnect) {
		Duration initialDelay = PropertyChecks.notNegative("wsdrain.client.reconnect.initial-delay",
				reconnect.getInitialDelay());
		Duration maxDelay = PropertyChecks.required("wsdrain.client.reconnect.max-delay", reconnect.getMaxDelay());
		if (maxDelay.compareTo(initialDelay) < 0) {
			throw new InvalidConfigurationPropertyValueException("wsdrain.client.reconnect.max-delay", maxDelay,
					"must not be shorter than wsdrain.client.reconnect.initial-delay (" + initialDelay + ")");
		}
		if (!(reconnect.getMultiplier() >= 1.0)) {
			throw new InvalidConfigurationPropertyValueException("wsdrain.client.reconnect.multiplier",
					reconnect.getMultiplier(), "must be at least 1");
		}
		int maxAttempts = PropertyChecks.positive("wsdrain.client.reconnect.max-attempts", reconnect.getMaxAttempts());
		return BufferedWebSocketClient.reconnectBackOff(initialDelay, maxDelay, reconnect.getMultiplier(), maxAttempts);
	}

}

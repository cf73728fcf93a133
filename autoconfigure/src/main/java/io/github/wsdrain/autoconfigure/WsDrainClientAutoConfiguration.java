package io.github.wsdrain.autoconfigure;

import io.github.wsdrain.client.BufferedWebSocketClient;
import jakarta.websocket.WebSocketContainer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.context.annotation.Bean;
import org.springframework.web.socket.client.WebSocketClient;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;

/**
 * Auto-configuration for the {@link BufferedWebSocketClient}: wraps the application's
 * {@link WebSocketClient} bean if there is exactly one, else a
 * {@link StandardWebSocketClient}.
 */
@AutoConfiguration
@ConditionalOnClass({ WebSocketClient.class, WebSocketContainer.class })
@ConditionalOnBooleanProperty(name = "wsdrain.client.enabled", matchIfMissing = true)
@EnableConfigurationProperties(WsDrainClientProperties.class)
public final class WsDrainClientAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	BufferedWebSocketClient bufferedWebSocketClient(WsDrainClientProperties properties,
			ObjectProvider<WebSocketClient> webSocketClient, ObjectProvider<BufferedWebSocketClientCustomizer> customizers) {
		validate(properties);
		BufferedWebSocketClient client = new BufferedWebSocketClient(
				webSocketClient.getIfUnique(StandardWebSocketClient::new));
		PropertyMapper map = PropertyMapper.get();
		map.from(properties::getConnectTimeout).to(client::setConnectTimeout);
		map.from(properties::getReceiveTimeout).to(client::setReceiveTimeout);
		map.from(properties::getCloseTimeout).to(client::setCloseTimeout);
		WsDrainClientProperties.Buffer buffer = properties.getBuffer();
		map.from(buffer::getMaxMessages).to(client::setMaxBufferedMessages);
		map.from(buffer::getMaxBytes).to(client::setMaxBufferedBytes);
		map.from(buffer::getOverflow).to(client::setOverflowPolicy);
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
	}

}

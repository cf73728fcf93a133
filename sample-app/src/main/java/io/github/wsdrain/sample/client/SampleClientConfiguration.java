package io.github.wsdrain.sample.client;

import io.github.wsdrain.client.BufferedWebSocketClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Client mode, active only when {@code wsdrain.sample.client.url} is set.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty("wsdrain.sample.client.url")
@EnableConfigurationProperties(SampleClientProperties.class)
class SampleClientConfiguration {

	@Bean
	SampleClientRunner sampleClientRunner(BufferedWebSocketClient client, SampleClientProperties properties,
			ObjectProvider<SampleClientMode.Output> output) {
		return new SampleClientRunner(client, properties,
				output.getIfAvailable(() -> new SampleClientMode.Output(System.out)).stream());
	}

}

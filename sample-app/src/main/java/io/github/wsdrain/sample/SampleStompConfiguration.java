package io.github.wsdrain.sample;

import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.messaging.handler.annotation.SendTo;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.stereotype.Controller;
import org.springframework.web.socket.config.annotation.EnableWebSocketMessageBroker;
import org.springframework.web.socket.config.annotation.StompEndpointRegistry;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;

/**
 * {@code /demo/stomp}: a STOMP endpoint with Spring's simple broker, drained by wsdrain
 * like every other endpoint. {@code SEND /app/echo} publishes the body to
 * {@code /topic/echo}.
 * <p>
 * Frames of a session are handled in the order they arrived: without that, Spring hands
 * them to a thread pool, and a {@code SEND} that follows a {@code SUBSCRIBE} in the same
 * read can reach the broker first and publish to nobody.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocketMessageBroker
class SampleStompConfiguration implements WebSocketMessageBrokerConfigurer {

	@Override
	public void registerStompEndpoints(StompEndpointRegistry registry) {
		registry.addEndpoint("/demo/stomp").setAllowedOriginPatterns("*");
		registry.setPreserveReceiveOrder(true);
	}

	@Override
	public void configureMessageBroker(MessageBrokerRegistry registry) {
		registry.enableSimpleBroker("/topic");
		registry.setApplicationDestinationPrefixes("/app");
	}

	@Controller
	static class EchoController {

		@MessageMapping("/echo")
		@SendTo("/topic/echo")
		String echo(String body) {
			return body;
		}

	}

}

package io.github.wsdrain.server.stomp;

import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.web.socket.config.annotation.EnableWebSocketMessageBroker;
import org.springframework.web.socket.config.annotation.StompEndpointRegistry;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketTransportRegistration;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;
import org.springframework.web.socket.messaging.SessionConnectedEvent;

/**
 * A STOMP app with Spring's simple broker, endpoints {@code /stomp} and
 * {@code /plain-stomp} (the latter excluded from wsdrain by the tests); it keeps the
 * WebSocket session of every connection, as an application that closes sessions does.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableWebSocketMessageBroker
class StompTestApplication implements WebSocketMessageBrokerConfigurer {

	@Bean
	ConnectedSessions connectedSessions() {
		return new ConnectedSessions();
	}

	@Bean
	OpenSessions openSessions() {
		return new OpenSessions();
	}

	@Override
	public void configureWebSocketTransport(WebSocketTransportRegistration registration) {
		registration.addDecoratorFactory((handler) -> new WebSocketHandlerDecorator(handler) {
			@Override
			public void afterConnectionEstablished(WebSocketSession session) throws Exception {
				openSessions().sessions.put(session.getId(), session);
				super.afterConnectionEstablished(session);
			}
		});
	}

	@Override
	public void registerStompEndpoints(StompEndpointRegistry registry) {
		registry.addEndpoint("/stomp", "/plain-stomp");
	}

	@Override
	public void configureMessageBroker(MessageBrokerRegistry registry) {
		registry.enableSimpleBroker("/topic");
		registry.setPreservePublishOrder(true);
	}

	/**
	 * The WebSocket session of every connection, by id, as the application sees it.
	 */
	static class OpenSessions {

		private final Map<String, WebSocketSession> sessions = new ConcurrentHashMap<>();

		WebSocketSession get(String id) {
			return this.sessions.get(id);
		}

	}

	/**
	 * The ids of STOMP sessions as they connect.
	 */
	static class ConnectedSessions {

		private final BlockingQueue<String> ids = new LinkedBlockingQueue<>();

		@EventListener
		void connected(SessionConnectedEvent event) {
			this.ids.add(StompHeaderAccessor.wrap(event.getMessage()).getSessionId());
		}

		String next() throws InterruptedException {
			String id = this.ids.poll(10, TimeUnit.SECONDS);
			if (id == null) {
				throw new IllegalStateException("No STOMP session connected within 10 s");
			}
			return id;
		}

	}

}

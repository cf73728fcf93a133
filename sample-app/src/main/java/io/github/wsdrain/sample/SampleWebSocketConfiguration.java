package io.github.wsdrain.sample;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

/**
 * The sample's endpoints: under {@code /demo} with wsdrain, under {@code /plain} with
 * stock Spring ({@code wsdrain.server.excluded-paths=/plain/**}).
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class SampleWebSocketConfiguration implements WebSocketConfigurer {

	private final BurstHandler demoBurstHandler;

	private final BurstHandler plainBurstHandler;

	private final StreamHandler demoStreamHandler;

	private final StreamHandler plainStreamHandler;

	private final FeedHandler demoFeedHandler;

	private final EchoHandler demoEchoHandler;

	SampleWebSocketConfiguration(BurstHandler demoBurstHandler, BurstHandler plainBurstHandler,
			StreamHandler demoStreamHandler, StreamHandler plainStreamHandler, FeedHandler demoFeedHandler,
			EchoHandler demoEchoHandler) {
		this.demoBurstHandler = demoBurstHandler;
		this.plainBurstHandler = plainBurstHandler;
		this.demoStreamHandler = demoStreamHandler;
		this.plainStreamHandler = plainStreamHandler;
		this.demoFeedHandler = demoFeedHandler;
		this.demoEchoHandler = demoEchoHandler;
	}

	@Override
	public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
		registry.addHandler(this.demoBurstHandler, "/demo/burst").setAllowedOriginPatterns("*");
		registry.addHandler(this.plainBurstHandler, "/plain/burst").setAllowedOriginPatterns("*");
		registry.addHandler(this.demoStreamHandler, "/demo/stream").setAllowedOriginPatterns("*");
		registry.addHandler(this.plainStreamHandler, "/plain/stream").setAllowedOriginPatterns("*");
		registry.addHandler(this.demoFeedHandler, "/demo/feed").setAllowedOriginPatterns("*");
		registry.addHandler(this.demoEchoHandler, "/demo/echo").setAllowedOriginPatterns("*");
	}

}

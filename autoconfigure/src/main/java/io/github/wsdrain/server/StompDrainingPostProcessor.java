package io.github.wsdrain.server;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.SubscribableChannel;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.web.socket.messaging.SubProtocolWebSocketHandler;

/**
 * Replaces the {@code subProtocolWebSocketHandler} bean of
 * {@code @EnableWebSocketMessageBroker} with a {@link DrainingSubProtocolWebSocketHandler}
 * before anything uses it, so that STOMP sessions are drained rather than wrapped in
 * Spring's {@code ConcurrentWebSocketSessionDecorator}; and keeps Spring's
 * {@code clientOutboundChannelExecutor} running until the sessions are drained on
 * shutdown.
 */
public class StompDrainingPostProcessor implements BeanPostProcessor, BeanFactoryAware {

	private static final String INBOUND_CHANNEL = "clientInboundChannel";

	private static final String OUTBOUND_CHANNEL = "clientOutboundChannel";

	private static final String OUTBOUND_EXECUTOR = "clientOutboundChannelExecutor";

	private BeanFactory beanFactory;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		if (OUTBOUND_EXECUTOR.equals(beanName) && bean instanceof ThreadPoolTaskExecutor executor) {
			// By default, Spring pauses this executor when the context closes, in the default
			// phase: messages still queued would then never reach the sessions wsdrain drains
			// in a later phase. Keep it running until it is destroyed, after the web server.
			executor.setAcceptTasksAfterContextClose(true);
		}
		// Only Spring's own class: a subclass is the application's choice and stays.
		if (bean.getClass() == SubProtocolWebSocketHandler.class) {
			SubProtocolWebSocketHandler original = (SubProtocolWebSocketHandler) bean;
			DrainingSubProtocolWebSocketHandler replacement = new DrainingSubProtocolWebSocketHandler(
					this.beanFactory.getBean(INBOUND_CHANNEL, MessageChannel.class),
					this.beanFactory.getBean(OUTBOUND_CHANNEL, SubscribableChannel.class),
					this.beanFactory.getBeanProvider(DrainingSessionRegistry.class));
			replacement.setPhase(original.getPhase());
			replacement.setProtocolHandlers(original.getProtocolHandlers());
			return replacement;
		}
		return bean;
	}

}

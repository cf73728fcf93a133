package io.github.wsdrain.sample;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;

import io.github.wsdrain.server.resume.ResumableSessions;
import io.github.wsdrain.server.DrainingSessionRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;

/**
 * The sample's handlers, each built twice: for {@code /demo} (the session wsdrain hands
 * over) and for {@code /plain} (Spring's own buffering decorator). The feed is only under
 * {@code /demo}: stock Spring has no acknowledgements to wait for.
 */
@Configuration(proxyBeanMethods = false)
class SampleHandlersConfiguration {

	/** Spring's decorator with a 10 s send time limit and a 16 MiB buffer, sized so that a whole burst fits (BASELINE.md §1). */
	private static final UnaryOperator<WebSocketSession> SPRING_DECORATOR = (
			session) -> new ConcurrentWebSocketSessionDecorator(session, 10_000, 16 * 1024 * 1024);

	@Bean
	SampleSenders sampleSenders() {
		return new SampleSenders();
	}

	/** Paces the streams: two threads are enough, their tasks only hand the sending to {@code sampleSenders}. */
	@Bean(destroyMethod = "shutdownNow")
	ScheduledExecutorService sampleStreamScheduler() {
		return Executors.newScheduledThreadPool(2, new CustomizableThreadFactory("sample-stream-"));
	}

	/** Paces the feeds: one thread is enough, its tasks only hand the sending to {@code sampleSenders}. */
	@Bean(destroyMethod = "shutdownNow")
	ScheduledExecutorService sampleFeedTicker() {
		return Executors.newSingleThreadScheduledExecutor(new CustomizableThreadFactory("sample-feed-"));
	}

	@Bean
	StreamHandler demoStreamHandler(ScheduledExecutorService sampleStreamScheduler, SampleSenders sampleSenders) {
		return new StreamHandler(UnaryOperator.identity(), sampleStreamScheduler, sampleSenders);
	}

	@Bean
	StreamHandler plainStreamHandler(ScheduledExecutorService sampleStreamScheduler, SampleSenders sampleSenders) {
		return new StreamHandler(SPRING_DECORATOR, sampleStreamScheduler, sampleSenders);
	}

	@Bean
	BurstHandler demoBurstHandler(SampleSenders sampleSenders) {
		return new BurstHandler(UnaryOperator.identity(), sampleSenders);
	}

	@Bean
	BurstHandler plainBurstHandler(SampleSenders sampleSenders) {
		return new BurstHandler(SPRING_DECORATOR, sampleSenders);
	}

	@Bean
	TransportCuts sampleTransportCuts(ObjectProvider<DrainingSessionRegistry> registry,
			ObjectProvider<ResumableSessions> resumableSessions) {
		return new TransportCuts(registry, resumableSessions);
	}

	@Bean
	FeedHandler demoFeedHandler(SampleSenders sampleSenders, ScheduledExecutorService sampleFeedTicker,
			TransportCuts sampleTransportCuts) {
		return new FeedHandler(sampleSenders, sampleFeedTicker, sampleTransportCuts);
	}

	@Bean
	EchoHandler demoEchoHandler() {
		return new EchoHandler();
	}

}

package io.github.wsdrain.autoconfigure;

import java.time.Duration;

import io.github.wsdrain.server.resume.ResumeStore;
import io.github.wsdrain.server.resume.redis.RedisResumeStore;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.StringUtils;

/**
 * The {@link ResumeStore}: memory unless {@code wsdrain.server.resume.store=redis}, which
 * needs Spring Data Redis and a {@code RedisConnectionFactory} (Boot's
 * {@code spring.data.redis.*}); without them the app does not start, with a message
 * that says what to add.
 */
@Configuration(proxyBeanMethods = false)
class ResumeStoreConfiguration {

	static final String STORE_PROPERTY = "wsdrain.server.resume.store";

	@Bean
	@ConditionalOnMissingBean
	ResumeStore wsDrainResumeStore(WsDrainServerProperties properties) {
		if (properties.getResume().getStore() == WsDrainServerProperties.Resume.Store.REDIS) {
			// Reached only without Spring Data Redis: the configuration below provides the store otherwise.
			throw new IllegalStateException(STORE_PROPERTY + "=redis needs Spring Data Redis on the class path: "
					+ "add org.springframework.boot:spring-boot-starter-data-redis and set spring.data.redis.*");
		}
		return ResumeStore.MEMORY;
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(RedisConnectionFactory.class)
	@ConditionalOnProperty(name = STORE_PROPERTY, havingValue = "redis")
	static class RedisStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean
		RedisResumeStore wsDrainRedisResumeStore(ObjectProvider<RedisConnectionFactory> connectionFactory,
				WsDrainServerProperties properties) {
			RedisConnectionFactory connections = connectionFactory.getIfUnique();
			if (connections == null) {
				throw new IllegalStateException(STORE_PROPERTY + "=redis needs exactly one RedisConnectionFactory bean"
						+ " (Spring Boot makes one from spring.data.redis.*); found "
						+ connectionFactory.stream().count());
			}
			WsDrainServerProperties.Resume.Redis redis = properties.getResume().getRedis();
			String nodeId = redis.getNodeId();
			return new RedisResumeStore(connections,
					PropertyChecks.required("wsdrain.server.resume.redis.key-prefix", redis.getKeyPrefix()),
					StringUtils.hasText(nodeId) ? nodeId : RedisResumeStore.randomNodeId(),
					PropertyChecks.positive("wsdrain.server.resume.window", properties.getResume().getWindow()));
		}

		/**
		 * Without {@code spring.data.redis.timeout}, Lettuce waits 60 s for a reply: bound a
		 * sender's wait for Redis by the send time limit instead.
		 */
		@Bean
		@ConditionalOnClass(LettuceClientConfigurationBuilderCustomizer.class)
		LettuceClientConfigurationBuilderCustomizer wsDrainRedisCommandTimeout(WsDrainServerProperties properties,
				Environment environment) {
			Duration limit = properties.getSendTimeLimit();
			return (builder) -> {
				if (!environment.containsProperty("spring.data.redis.timeout")) {
					builder.commandTimeout(limit);
				}
			};
		}

	}

}

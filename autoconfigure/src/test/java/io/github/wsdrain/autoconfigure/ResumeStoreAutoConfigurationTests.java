package io.github.wsdrain.autoconfigure;

import io.github.wsdrain.server.resume.ResumeStore;
import io.github.wsdrain.server.resume.redis.RedisResumeStore;
import io.github.wsdrain.testsupport.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * The resume store the auto-configuration picks: memory by default; Redis with
 * {@code wsdrain.server.resume.store=redis} and a {@code RedisConnectionFactory}; a start-up
 * failure that says what is missing otherwise.
 */
class ResumeStoreAutoConfigurationTests {

	@RegisterExtension
	static final RedisServer redis = new RedisServer();

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(WsDrainServerAutoConfiguration.class));

	@Test
	void memoryByDefault() {
		this.contextRunner.run((context) -> assertThat(context.getBean(ResumeStore.class)).isSameAs(ResumeStore.MEMORY));
	}

	@Test
	void redisWithTheAppsConnectionFactory() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withPropertyValues("wsdrain.server.resume.store=redis", redis.portProperty(),
					"wsdrain.server.resume.redis.node-id=node-1")
			.run((context) -> {
				assertThat(context).hasSingleBean(ResumeStore.class);
				RedisResumeStore store = context.getBean(RedisResumeStore.class);
				assertThat(store.nodeId()).isEqualTo("node-1");
				assertThat(store.isShared()).isTrue();
			});
	}

	@Test
	void aRandomNodeIdByDefault() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withPropertyValues("wsdrain.server.resume.store=redis", redis.portProperty())
			.run((context) -> assertThat(context.getBean(RedisResumeStore.class).nodeId()).hasSize(22));
	}

	@Test
	void redisWithoutAConnectionFactoryFailsToStartSayingWhatIsMissing() {
		this.contextRunner.withPropertyValues("wsdrain.server.resume.store=redis")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("wsdrain.server.resume.store=redis needs exactly one RedisConnectionFactory"));
	}

	@Test
	void redisWithAConnectionFactoryOtherThanLettucesFailsToStartSayingSo() {
		this.contextRunner.withPropertyValues("wsdrain.server.resume.store=redis")
			.withBean(RedisConnectionFactory.class, () -> mock(RedisConnectionFactory.class))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("wsdrain.server.resume.store=redis needs Lettuce"));
	}

	@Test
	void redisWithoutSpringDataRedisFailsToStartSayingWhatToAdd() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(RedisConnectionFactory.class))
			.withPropertyValues("wsdrain.server.resume.store=redis")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("spring-boot-starter-data-redis"));
	}

}

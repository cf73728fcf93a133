package io.github.wsdrain.sample;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Puts {@link DrainSwitchGuard} in front of the actuator's {@code wsdrain} endpoint.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DrainSwitchProperties.class)
class DrainSwitchConfiguration {

	@Bean
	FilterRegistrationBean<DrainSwitchGuard> drainSwitchGuard(DrainSwitchProperties properties) {
		FilterRegistrationBean<DrainSwitchGuard> registration = new FilterRegistrationBean<>(
				new DrainSwitchGuard(properties));
		registration.addUrlPatterns(DrainSwitchGuard.PATH, DrainSwitchGuard.PATH + "/*");
		return registration;
	}

}

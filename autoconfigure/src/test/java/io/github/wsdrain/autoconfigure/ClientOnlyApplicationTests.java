package io.github.wsdrain.autoconfigure;

import io.github.wsdrain.client.BufferedWebSocketClient;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What docs/client-only.md tells a client-only application: on a class path with servlet
 * MVC and an embedded server (the starter's), {@code spring.main.web-application-type=none}
 * gives the buffering client, no web server and no server-side beans.
 */
class ClientOnlyApplicationTests {

	@Test
	void whenTheWebApplicationTypeIsNoneThenTheClientIsThereAndNoWebServerStarts() {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ClientOnlyApplication.class)
			.run("--spring.main.web-application-type=none", "--spring.main.banner-mode=off")) {
			assertThat(context).isNotInstanceOf(WebServerApplicationContext.class);
			assertThat(context.getBeansOfType(BufferedWebSocketClient.class)).hasSize(1);
			assertThat(context.getBeanNamesForType(WsDrainServerAutoConfiguration.class)).isEmpty();
		}
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class ClientOnlyApplication {

	}

}

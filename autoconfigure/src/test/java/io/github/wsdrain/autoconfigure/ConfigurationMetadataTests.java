package io.github.wsdrain.autoconfigure;

import java.io.InputStream;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration metadata the build generates, as an IDE shows it: every reconnect
 * default, and the renamed properties deprecated with their replacement.
 */
class ConfigurationMetadataTests {

	@Test
	void theReconnectPropertiesShowTheirDefaults() throws Exception {
		assertThat(defaultOf("wsdrain.client.reconnect.initial-delay")).isEqualTo("100ms");
		assertThat(defaultOf("wsdrain.client.reconnect.max-delay")).isEqualTo("10s");
		assertThat(defaultOf("wsdrain.client.reconnect.multiplier")).hasToString("2");
		assertThat(defaultOf("wsdrain.client.reconnect.max-attempts")).isEqualTo(20);
	}

	@Test
	void renamedPropertiesAreDeprecatedInFavourOfTheirNewNames() throws Exception {
		assertThat(replacementOf("wsdrain.server.ack-timeout")).isEqualTo("wsdrain.server.resume.ack-timeout");
		assertThat(defaultOf("wsdrain.server.resume.ack-timeout")).isEqualTo("5s");
		assertThat(replacementOf("wsdrain.client.reliable.send-timeout"))
			.isEqualTo("wsdrain.client.reliable.send-time-limit");
		assertThat(defaultOf("wsdrain.client.reliable.send-time-limit")).isEqualTo("10s");
	}

	private static Object defaultOf(String name) throws Exception {
		return property(name).get("defaultValue");
	}

	@SuppressWarnings("unchecked")
	private static Object replacementOf(String name) throws Exception {
		Map<String, Object> property = property(name);
		assertThat(property.get("deprecated")).isEqualTo(true);
		return ((Map<String, Object>) property.get("deprecation")).get("replacement");
	}

	private static Map<String, Object> property(String name) throws Exception {
		try (InputStream metadata = ConfigurationMetadataTests.class
			.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(metadata).as("generated metadata on the class path").isNotNull();
			List<Map<String, Object>> matches = JsonPath.parse(metadata)
				.read("$.properties[?(@.name == '" + name + "')]");
			assertThat(matches).as(name).hasSize(1);
			return matches.get(0);
		}
	}

}

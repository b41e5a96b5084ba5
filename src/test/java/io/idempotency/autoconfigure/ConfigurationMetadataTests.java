package io.idempotency.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the configuration metadata that the build generates, which IDEs show as property help.
 */
class ConfigurationMetadataTests {

	@Test
	void everyIdempotencyPropertyHasDescription() throws IOException {
		List<Map<String, Object>> properties = readProperties();

		assertThat(properties).isNotEmpty();
		assertThat(properties).allSatisfy((property) -> assertThat(property.get("description"))
			.as("description of %s", property.get("name"))
			.isInstanceOf(String.class));
	}

	@Test
	void newPropertiesAreListed() throws IOException {
		assertThat(readProperties()).extracting((property) -> property.get("name"))
			.contains("idempotency.gateway.enabled", "idempotency.scope.mode", "idempotency.filter-enabled");
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> readProperties() throws IOException {
		try (InputStream json = new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
			Map<String, Object> metadata = JsonMapper.builder().build().readValue(json, Map.class);
			return ((List<Map<String, Object>>) metadata.get("properties")).stream()
				.filter((property) -> ((String) property.get("name")).startsWith("idempotency."))
				.toList();
		}
	}

}

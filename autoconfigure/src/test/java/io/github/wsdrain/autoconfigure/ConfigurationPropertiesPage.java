package io.github.wsdrain.autoconfigure;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Renders {@code spring-configuration-metadata.json} as the Markdown page
 * {@code docs/configuration-properties.md}: one table per property group, with each
 * property's type, default, description and deprecation.
 */
final class ConfigurationPropertiesPage {

	static final String REGENERATE = "mvn -B -pl autoconfigure test -Dtest=ConfigurationPropertiesPageTests"
			+ " -Dsurefire.failIfNoSpecifiedTests=false -Dwsdrain.docs.write=true";

	private static final JsonMapper MAPPER = JsonMapper.builder()
		.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.build();

	private ConfigurationPropertiesPage() {
	}

	static Metadata read(String metadataJson) {
		return MAPPER.readValue(metadataJson, Metadata.class);
	}

	static String render(String metadataJson) {
		Metadata metadata = read(metadataJson);
		Map<String, List<Property>> byGroup = byGroup(metadata);
		Map<String, List<String>> hintedValues = hintedValues(metadata);
		StringBuilder page = new StringBuilder();
		page.append("<!-- Generated from spring-configuration-metadata.json by ConfigurationPropertiesPageTests;")
			.append(" do not edit. Regenerate with: ")
			.append(REGENERATE)
			.append(" -->\n\n");
		page.append("# Configuration properties\n\n");
		page.append("Every property wsdrain reads, generated from the configuration metadata the build writes")
			.append(" (IDEs complete the same names).\n")
			.append("Durations take a unit (`250ms`, `10s`, `2m`), sizes too (`64KB`, `4MB`).")
			.append(" A bad value fails start-up with a message that names the property.\n");
		byGroup.forEach((group, properties) -> {
			page.append("\n## ").append(group).append("\n\n");
			page.append("| property | type | default | description |\n");
			page.append("|---|---|---|---|\n");
			for (Property property : properties) {
				page.append("| `")
					.append(property.name())
					.append("` | ")
					.append(type(property, hintedValues.get(property.name())))
					.append(" | ")
					.append(defaultValue(property))
					.append(" | ")
					.append(description(property))
					.append(" |\n");
			}
		});
		return page.toString();
	}

	private static Map<String, List<Property>> byGroup(Metadata metadata) {
		List<String> groups = listOrEmpty(metadata.groups()).stream().map(Group::name).sorted().toList();
		Map<String, List<Property>> byGroup = new LinkedHashMap<>();
		groups.forEach((group) -> byGroup.put(group, new ArrayList<>()));
		for (Property property : listOrEmpty(metadata.properties())) {
			String group = groups.stream()
				.filter((candidate) -> property.name().startsWith(candidate + "."))
				.max(Comparator.comparingInt(String::length))
				.orElse("other");
			byGroup.computeIfAbsent(group, (key) -> new ArrayList<>()).add(property);
		}
		byGroup.values().removeIf(List::isEmpty);
		byGroup.values().forEach((properties) -> properties.sort(Comparator.comparing(Property::name)));
		return byGroup;
	}

	private static Map<String, List<String>> hintedValues(Metadata metadata) {
		Map<String, List<String>> values = new LinkedHashMap<>();
		for (Hint hint : listOrEmpty(metadata.hints())) {
			values.put(hint.name(),
					listOrEmpty(hint.values()).stream().map((value) -> String.valueOf(value.value())).toList());
		}
		return values;
	}

	private static String type(Property property, List<String> hintedValues) {
		List<String> values = (hintedValues != null) ? hintedValues : enumValues(property.type());
		if (!values.isEmpty()) {
			return values.stream().map((value) -> "`" + value + "`").collect(Collectors.joining(", "));
		}
		if (property.type() == null) {
			return "";
		}
		String simple = property.type().replaceAll("(?:[a-z_][a-z0-9_]*\\.)+([A-Z])", "$1");
		return "`" + simple.replace("$", ".") + "`";
	}

	private static List<String> enumValues(String type) {
		if (type == null || type.contains("<")) {
			return List.of();
		}
		try {
			Class<?> candidate = Class.forName(type, false, ConfigurationPropertiesPage.class.getClassLoader());
			if (!candidate.isEnum()) {
				return List.of();
			}
			List<String> values = new ArrayList<>();
			for (Object constant : candidate.getEnumConstants()) {
				values.add(kebabCase(((Enum<?>) constant).name()));
			}
			return values;
		}
		catch (ClassNotFoundException ex) {
			return List.of();
		}
	}

	private static String defaultValue(Property property) {
		Object value = property.defaultValue();
		if (value == null) {
			return "";
		}
		if (value instanceof List<?> list) {
			return list.isEmpty() ? "" : "`" + list.stream().map(String::valueOf).collect(Collectors.joining(",")) + "`";
		}
		String text = String.valueOf(value);
		// The metadata writes enum defaults as lower-case constants; the page lists their kebab-case values.
		return "`" + escape(enumValues(property.type()).isEmpty() ? text : kebabCase(text)) + "`";
	}

	private static String kebabCase(String constant) {
		return constant.toLowerCase(Locale.ROOT).replace('_', '-');
	}

	private static String description(Property property) {
		String description = escape(Objects.requireNonNullElse(property.description(), "").strip());
		Deprecation deprecation = property.deprecation();
		if (deprecation == null && !Boolean.TRUE.equals(property.deprecated())) {
			return description;
		}
		StringBuilder text = new StringBuilder(
				(deprecation != null && "error".equals(deprecation.level())) ? "**No longer supported.**"
						: "**Deprecated.**");
		if (deprecation != null && deprecation.replacement() != null) {
			text.append(" Use `").append(deprecation.replacement()).append("`.");
		}
		if (deprecation != null && deprecation.reason() != null) {
			text.append(' ').append(escape(deprecation.reason().strip()));
		}
		return description.isEmpty() ? text.toString() : text + " " + description;
	}

	private static String escape(String text) {
		return text.replace("|", "\\|").replace("\n", " ");
	}

	private static <T> List<T> listOrEmpty(List<T> list) {
		return (list != null) ? list : List.of();
	}

	record Metadata(List<Group> groups, List<Property> properties, List<Hint> hints) {
	}

	record Group(String name) {
	}

	record Property(String name, String type, String description, Object defaultValue, Boolean deprecated,
			Deprecation deprecation) {
	}

	record Deprecation(String level, String reason, String replacement) {
	}

	record Hint(String name, List<ValueHint> values) {
	}

	record ValueHint(Object value) {
	}

}

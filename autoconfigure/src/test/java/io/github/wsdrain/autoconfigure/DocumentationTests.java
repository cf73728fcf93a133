package io.github.wsdrain.autoconfigure;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.github.wsdrain.autoconfigure.ConfigurationPropertiesPage.Metadata;
import io.github.wsdrain.autoconfigure.ConfigurationPropertiesPage.Property;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the README, PROTOCOL.md and the pages under {@code docs/} honest: every link
 * resolves to a file (and heading) inside the repository, none leads outside it, every
 * property they name exists and is not deprecated, the README stays short and starts with
 * the commands CI runs.
 */
class DocumentationTests {

	/** Pages other changes add; links to them are allowed until they exist. */
	private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

	private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*#*\\s*$");

	private static final Pattern INLINE_CODE = Pattern.compile("`[^`]*`");

	private static final Pattern PROPERTY_NAME = Pattern.compile("\\bwsdrain\\.(?:server|client)\\.[a-z0-9.-]*[a-z0-9]");

	/** Meters whose names share the client properties' prefix. */
	private static final Set<String> CLIENT_METER_NAMES = Set.of("wsdrain.client.connections",
			"wsdrain.client.buffered.messages", "wsdrain.client.buffered.bytes", "wsdrain.client.messages.dropped",
			"wsdrain.client.reconnects", "wsdrain.client.duplicates");

	private Path root;

	@BeforeEach
	void findRepositoryRoot() throws URISyntaxException {
		Path testClasses = Path.of(getClass().getProtectionDomain().getCodeSource().getLocation().toURI());
		this.root = testClasses.getParent().getParent().getParent().toAbsolutePath().normalize();
	}

	@Test
	void everyLinkInTheReadmeAndTheDocsResolvesInsideTheRepository() throws IOException {
		List<String> broken = new ArrayList<>();
		for (Path page : pages()) {
			for (String target : links(page)) {
				String problem = check(page, target);
				if (problem != null) {
					broken.add(this.root.relativize(page) + ": " + target + " (" + problem + ")");
				}
			}
		}
		assertThat(broken).as("broken links").isEmpty();
	}

	@Test
	void everyPropertyTheDocsNameIsInTheMetadataAndNotDeprecated() throws IOException {
		Metadata metadata = ConfigurationPropertiesPage.read(Files.readString(
				this.root.resolve("autoconfigure/target/classes/META-INF/spring-configuration-metadata.json")));
		Map<String, Property> properties = new HashMap<>();
		metadata.properties().forEach((property) -> properties.put(property.name(), property));
		List<String> wrong = new ArrayList<>();
		for (Path page : pages()) {
			if (page.endsWith("configuration-properties.md")) {
				continue;
			}
			Matcher name = PROPERTY_NAME.matcher(Files.readString(page));
			while (name.find()) {
				String problem = checkProperty(name.group(), properties);
				if (problem != null) {
					wrong.add(this.root.relativize(page) + ": " + name.group() + " (" + problem + ")");
				}
			}
		}
		assertThat(wrong).as("property names in the docs").isEmpty();
	}

	@Test
	void theReadmeStaysUnderTwelveKilobytes() throws IOException {
		assertThat(Files.size(this.root.resolve("README.md"))).isLessThanOrEqualTo(12_000);
	}

	@Test
	void theReadmeStartsWithTheSampleAndTheTestCommandThatCiRuns() throws IOException {
		List<String> readme = Files.readAllLines(this.root.resolve("README.md"));
		assertThat(readme.get(0)).startsWith("# ");
		assertThat(readme.indexOf("```bash")).as("the commands follow the title").isLessThanOrEqualTo(2);
		List<String> commands = readme.subList(readme.indexOf("```bash") + 1, readme.indexOf("```")).stream()
			.map((line) -> line.replaceFirst("\\s+#.*", ""))
			.toList();
		assertThat(commands).hasSize(2);
		assertThat(commands.get(0)).contains("java -jar sample-app/target/wsdrain-sample-app.jar");
		assertThat(commands.get(1)).isEqualTo("mvn -B verify");
		List<String> ci = Files.readAllLines(this.root.resolve(".ci/run"));
		assertThat(ci.get(ci.size() - 1)).isEqualTo("mvn -B verify");
	}

	private List<Path> pages() throws IOException {
		List<Path> pages = new ArrayList<>(List.of(this.root.resolve("README.md"), this.root.resolve("PROTOCOL.md")));
		try (Stream<Path> docs = Files.list(this.root.resolve("docs"))) {
			docs.filter((path) -> path.toString().endsWith(".md")).sorted().forEach(pages::add);
		}
		return pages;
	}

	private String check(Path page, String target) throws IOException {
		if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
			return "leads outside the repository";
		}
		int hash = target.indexOf('#');
		String file = (hash >= 0) ? target.substring(0, hash) : target;
		String anchor = (hash >= 0) ? target.substring(hash + 1) : null;
		Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
		if (!resolved.startsWith(this.root)) {
			return "leads outside the repository";
		}
		if (!Files.exists(resolved)) {
			return "no such file";
		}
		if (anchor != null && resolved.toString().endsWith(".md") && !anchors(resolved).contains(anchor)) {
			return "no such heading";
		}
		return null;
	}

	private static String checkProperty(String name, Map<String, Property> properties) {
		Property property = properties.get(name);
		if (property == null) {
			boolean group = properties.keySet().stream().anyMatch((candidate) -> candidate.startsWith(name + "."));
			return (group || CLIENT_METER_NAMES.contains(name)) ? null : "no such property";
		}
		if (property.deprecation() != null || Boolean.TRUE.equals(property.deprecated())) {
			String replacement = (property.deprecation() != null) ? property.deprecation().replacement() : null;
			return "deprecated" + ((replacement != null) ? ", use " + replacement : "");
		}
		return null;
	}

	private static List<String> links(Path page) throws IOException {
		List<String> links = new ArrayList<>();
		boolean inFence = false;
		for (String line : Files.readAllLines(page)) {
			if (line.strip().startsWith("```")) {
				inFence = !inFence;
				continue;
			}
			if (!inFence) {
				Matcher link = LINK.matcher(INLINE_CODE.matcher(line).replaceAll(""));
				while (link.find()) {
					links.add(link.group(1));
				}
			}
		}
		return links;
	}

	/** Heading anchors as GitHub generates them, duplicates numbered. */
	private static Set<String> anchors(Path page) throws IOException {
		Set<String> anchors = new LinkedHashSet<>();
		Map<String, Integer> seen = new HashMap<>();
		boolean inFence = false;
		for (String line : Files.readAllLines(page)) {
			if (line.strip().startsWith("```")) {
				inFence = !inFence;
				continue;
			}
			Matcher heading = HEADING.matcher(line);
			if (!inFence && heading.matches()) {
				String slug = heading.group(1)
					.toLowerCase(Locale.ROOT)
					.replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "")
					.replace(' ', '-');
				int count = seen.merge(slug, 1, Integer::sum);
				anchors.add((count == 1) ? slug : slug + "-" + (count - 1));
			}
		}
		return anchors;
	}

}

package io.github.wsdrain.sample.browser;

import java.nio.file.Path;
import java.time.Duration;

import io.github.wsdrain.sample.SampleApplication;
import io.github.wsdrain.server.ServerSelection;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample page at {@code /} in a real headless Chromium, through the chaos proxy: each
 * button does what it says, read from the counters on the page. Leaves a screenshot at
 * {@code target/sample-page.png}.
 */
@SpringBootTest(classes = SampleApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { ServerSelection.TOMCAT, "wsdrain.server.resume.heartbeat=250ms" })
class SamplePageBrowserTests extends AbstractBrowserTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	static final Path SCREENSHOT = Path.of("target", "sample-page.png");

	/**
	 * Burst of 20,000 (wsdrain: 0 lost), a feed of 3,000 with one cut (0 lost, 0 duplicates,
	 * 0 gaps, 1+ reconnects), then the drain (wsdrain: 1001 with a close frame after
	 * {@code END|K}; stock: 1006).
	 */
	@Test
	void everyButtonOfThePageDoesWhatItSays() throws Exception {
		Tab tab = tab();
		tab.waitFor("document.body.dataset.ready === 'true'", TIMEOUT);

		tab.type("burst-count", "20000");
		tab.click("burst-run");
		tab.waitFor("document.getElementById('burst-status').textContent === 'done'", TIMEOUT);
		assertThat(tab.text("demo-sent")).isEqualTo("20000");
		assertThat(tab.text("demo-received")).isEqualTo(tab.text("demo-accepted"));
		assertThat(Integer.parseInt(tab.text("demo-accepted"))).isPositive();
		assertThat(tab.text("demo-lost")).isEqualTo("0");
		assertThat(tab.text("demo-close")).isEqualTo("1000 (close frame)");
		assertThat(Integer.parseInt(tab.text("plain-received")))
			.isLessThanOrEqualTo(Integer.parseInt(tab.text("plain-accepted")));

		tab.type("feed-count", "3000");
		tab.type("feed-rate", "1000");
		tab.click("feed-start");
		tab.waitFor("Number(document.getElementById('feed-received').textContent) >= 500", TIMEOUT);
		tab.click("feed-cut");
		tab.waitFor("Number(document.getElementById('feed-reconnects').textContent) >= 1", TIMEOUT);
		tab.waitFor("document.getElementById('feed-state').textContent === 'closed 1000'", TIMEOUT);
		assertThat(tab.text("feed-received")).isEqualTo("3000");
		assertThat(tab.text("feed-duplicates")).isEqualTo("0");
		assertThat(tab.text("feed-gaps")).isEqualTo("0");
		assertThat(Integer.parseInt(tab.text("feed-reconnects"))).isPositive();

		tab.click("drain-run");
		tab.waitFor("document.getElementById('drain-status').textContent.startsWith('done')", TIMEOUT);
		assertThat(tab.text("drain-demo-close")).isEqualTo("1001 (close frame)");
		assertThat(tab.text("drain-demo-last")).startsWith("END|");
		assertThat(tab.text("drain-plain-close")).isEqualTo("1006 (no close frame)");

		tab.screenshot(SCREENSHOT);
		assertThat(SCREENSHOT).isNotEmptyFile();
	}

}

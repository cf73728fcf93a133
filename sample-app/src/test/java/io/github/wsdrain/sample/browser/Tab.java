package io.github.wsdrain.sample.browser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import org.awaitility.core.ConditionTimeoutException;
import tools.jackson.databind.JsonNode;

import static org.awaitility.Awaitility.await;

/**
 * One browser tab: navigate, evaluate JavaScript (promises awaited, results as JSON),
 * wait for a condition, take a screenshot.
 */
final class Tab {

	private final Chromium browser;

	private final String targetId;

	private final String sessionId;

	Tab(Chromium browser, String targetId, String sessionId) {
		this.browser = browser;
		this.targetId = targetId;
		this.sessionId = sessionId;
	}

	void navigate(String url) {
		this.browser.call("Page.enable", Map.of(), this.sessionId);
		this.browser.call("Page.navigate", Map.of("url", url), this.sessionId);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> "complete".equals(evaluate("document.readyState").asString("")));
	}

	/**
	 * Evaluate an expression; a promise is awaited.
	 * @param expression JavaScript
	 * @return its value, as JSON
	 */
	JsonNode evaluate(String expression) {
		JsonNode result = this.browser.call("Runtime.evaluate",
				Map.of("expression", expression, "awaitPromise", true, "returnByValue", true), this.sessionId);
		if (result.has("exceptionDetails")) {
			throw new IllegalStateException("JavaScript failed: " + result.get("exceptionDetails"));
		}
		JsonNode value = result.get("result").get("value");
		return (value != null) ? value : Chromium.JSON.nullNode();
	}

	/** Evaluate an expression that returns an object and read it as JSON. */
	JsonNode json(String expression) {
		return Chromium.JSON.readTree(evaluate("JSON.stringify(" + expression + ")").asString());
	}

	/** Wait until a JavaScript condition holds. */
	void waitFor(String condition, Duration timeout) {
		try {
			await().atMost(timeout)
				.pollInterval(Duration.ofMillis(50))
				.until(() -> evaluate("Boolean(" + condition + ")").asBoolean());
		}
		catch (ConditionTimeoutException ex) {
			// Say what the page showed, not only that it did not show the condition.
			String page = evaluate("document.body.innerText.replace(/\\s+/g, ' ').slice(0, 2000) + ' runs: '"
					+ " + JSON.stringify(window.runs ?? {})").asString();
			throw new AssertionError("Not within " + timeout.toSeconds() + " s: " + condition + "; page: " + page,
					ex);
		}
	}

	String text(String id) {
		return evaluate("document.getElementById('" + id + "').textContent").asString();
	}

	void click(String id) {
		evaluate("document.getElementById('" + id + "').click()");
	}

	void type(String id, String value) {
		evaluate("document.getElementById('" + id + "').value = '" + value + "'");
	}

	void screenshot(Path file) throws Exception {
		JsonNode shot = this.browser.call("Page.captureScreenshot",
				Map.of("format", "png", "captureBeyondViewport", true), this.sessionId);
		Files.createDirectories(file.getParent());
		Files.write(file, Base64.getDecoder().decode(shot.get("data").asString()));
	}

	void close() {
		this.browser.call("Target.closeTarget", Map.of("targetId", this.targetId), null);
	}

}

package io.github.wsdrain.sample.browser;

import io.github.wsdrain.testsupport.ChaosProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * What every browser test shares: one headless {@link Chromium} per test class (skipped
 * without it, failed when {@code CI=true}), and per test the sample page opened in a new
 * {@link Tab} through a {@link ChaosProxy} in front of the app, both closed after the
 * test. Subclasses are {@code @SpringBootTest}s of the sample app on a random port.
 */
abstract class AbstractBrowserTests {

	private static Chromium browser;

	@LocalServerPort
	private int port;

	private ChaosProxy proxy;

	private Tab tab;

	@BeforeAll
	static void startBrowser() throws Exception {
		browser = Chromium.start();
	}

	@AfterAll
	static void stopBrowser() throws Exception {
		if (browser != null) {
			browser.close();
			browser = null;
		}
	}

	@BeforeEach
	void openPage() throws Exception {
		this.proxy = new ChaosProxy(this.port);
		this.tab = browser.open("http://127.0.0.1:" + this.proxy.port() + "/");
	}

	@AfterEach
	void closePage() throws Exception {
		if (this.tab != null) {
			this.tab.close();
		}
		if (this.proxy != null) {
			this.proxy.close();
		}
	}

	/** The proxy the page and its WebSockets go through: cut, reset or silence it. */
	ChaosProxy proxy() {
		return this.proxy;
	}

	/** The sample page, loaded before any cut starts. */
	Tab tab() {
		return this.tab;
	}

}

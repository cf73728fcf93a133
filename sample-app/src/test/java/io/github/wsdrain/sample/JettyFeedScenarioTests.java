package io.github.wsdrain.sample;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link FeedScenarioTests} on Jetty.
 */
@TestPropertySource(properties = ServerSelection.JETTY)
class JettyFeedScenarioTests extends FeedScenarioTests {

}

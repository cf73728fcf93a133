package io.github.wsdrain.sample;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link FeedAckTimeoutScenarioTests} on Jetty.
 */
@TestPropertySource(properties = ServerSelection.JETTY)
class JettyFeedAckTimeoutScenarioTests extends FeedAckTimeoutScenarioTests {

}

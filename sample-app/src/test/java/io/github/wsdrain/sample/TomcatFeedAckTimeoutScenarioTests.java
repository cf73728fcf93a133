package io.github.wsdrain.sample;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link FeedAckTimeoutScenarioTests} on Tomcat.
 */
@TestPropertySource(properties = ServerSelection.TOMCAT)
class TomcatFeedAckTimeoutScenarioTests extends FeedAckTimeoutScenarioTests {

}

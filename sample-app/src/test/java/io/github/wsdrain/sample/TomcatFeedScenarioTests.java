package io.github.wsdrain.sample;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link FeedScenarioTests} on Tomcat.
 */
@TestPropertySource(properties = ServerSelection.TOMCAT)
class TomcatFeedScenarioTests extends FeedScenarioTests {

}

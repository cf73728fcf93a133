package io.github.wsdrain.server.barrier;

import io.github.wsdrain.server.ServerSelection;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link ManySessionsCloseTests} on Tomcat.
 */
@TestPropertySource(properties = ServerSelection.TOMCAT)
class TomcatManySessionsCloseTests extends ManySessionsCloseTests {

}

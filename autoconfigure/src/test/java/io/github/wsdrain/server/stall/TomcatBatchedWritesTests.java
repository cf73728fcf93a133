package io.github.wsdrain.server.stall;

import io.github.wsdrain.server.ServerSelection;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link BatchedWritesTests} on Tomcat.
 */
@TestPropertySource(properties = ServerSelection.TOMCAT)
class TomcatBatchedWritesTests extends BatchedWritesTests {

}

package io.github.wsdrain.server.barrier;

import io.github.wsdrain.server.ServerSelection;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link CloseBarrierTests} on Tomcat.
 */
@TestPropertySource(properties = ServerSelection.TOMCAT)
class TomcatCloseBarrierTests extends CloseBarrierTests {

}

/**
 * Wires draining sessions into Spring's WebSocket handlers, STOMP and the handshake.
 */
@NullMarked
package io.github.wsdrain.server;

import org.jspecify.annotations.NullMarked;

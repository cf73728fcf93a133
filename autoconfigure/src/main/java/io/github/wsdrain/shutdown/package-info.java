/**
 * Graceful shutdown: drain every WebSocket session and close it with 1001 before the connectors stop.
 */
@NullMarked
package io.github.wsdrain.shutdown;

import org.jspecify.annotations.NullMarked;

/**
 * Server-side WebSocket sessions that drain every accepted message before the close frame.
 */
@NullMarked
package io.github.wsdrain.server;

import org.jspecify.annotations.NullMarked;

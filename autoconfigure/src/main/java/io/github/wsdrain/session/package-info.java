/**
 * A draining WebSocket session: every accepted message goes out before the close frame.
 */
@NullMarked
package io.github.wsdrain.session;

import org.jspecify.annotations.NullMarked;

/**
 * The {@code wsdrain.v1} sub-protocol: sequenced, acknowledged and resumable WebSocket sessions.
 */
@NullMarked
package io.github.wsdrain.protocol;

import org.jspecify.annotations.NullMarked;

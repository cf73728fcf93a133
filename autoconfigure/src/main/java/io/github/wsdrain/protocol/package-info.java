/**
 * The {@code wsdrain.v1} sub-protocol (PROTOCOL.md), written once for both sides:
 * {@code Frame} and {@code FrameCodec} (each message parsed once), {@code ReplayBuffer},
 * {@code OutboundStream} (numbering, waiting for room, replay after a resume),
 * {@code InboundSequence} (gaps, duplicates, delivery in order) and {@code AckScheduler}
 * (cumulative acknowledgements, batched). It knows neither the server nor the client.
 */
@NullMarked
package io.github.wsdrain.protocol;

import org.jspecify.annotations.NullMarked;

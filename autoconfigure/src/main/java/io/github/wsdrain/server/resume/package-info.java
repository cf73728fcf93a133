/**
 * Server side of the acknowledged, <b>resumable</b> sub-protocol {@code wsdrain.v1} (the
 * server's word for it; the client's is <i>reliable</i>): {@code ResumableSession}, a
 * session that outlives its connections, on the protocol core of
 * {@code io.github.wsdrain.protocol}; {@code ResumableSessions}, every session by resume
 * token.
 */
@NullMarked
package io.github.wsdrain.server.resume;

import org.jspecify.annotations.NullMarked;

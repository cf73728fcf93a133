/**
 * The Redis resume store: {@code wsdrain.v1} sessions shared by the nodes of one app
 * through Spring Data Redis.
 */
@NullMarked
package io.github.wsdrain.server.resume.redis;

import org.jspecify.annotations.NullMarked;

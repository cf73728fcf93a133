/**
 * Micrometer metrics for draining sessions.
 */
@NullMarked
package io.github.wsdrain.metrics;

import org.jspecify.annotations.NullMarked;

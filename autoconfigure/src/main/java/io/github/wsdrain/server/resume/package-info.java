/**
 * Server side of the acknowledged, resumable sub-protocol wsdrain.v1.
 */
@NullMarked
package io.github.wsdrain.server.resume;

import org.jspecify.annotations.NullMarked;

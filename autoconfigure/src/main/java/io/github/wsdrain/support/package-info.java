/**
 * Small utilities shared by the server and the client.
 */
@NullMarked
package io.github.wsdrain.support;

import org.jspecify.annotations.NullMarked;

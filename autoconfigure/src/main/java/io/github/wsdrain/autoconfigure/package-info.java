/**
 * Auto-configuration and configuration properties of wsdrain.
 */
@NullMarked
package io.github.wsdrain.autoconfigure;

import org.jspecify.annotations.NullMarked;

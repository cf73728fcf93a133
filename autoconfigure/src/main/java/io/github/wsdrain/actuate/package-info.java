/**
 * The {@code wsdrain} Actuator endpoint.
 */
@NullMarked
package io.github.wsdrain.actuate;

import org.jspecify.annotations.NullMarked;

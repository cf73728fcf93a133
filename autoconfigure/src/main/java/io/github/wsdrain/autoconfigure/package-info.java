/**
 * Auto-configuration for wsdrain.
 */
package io.github.wsdrain.autoconfigure;

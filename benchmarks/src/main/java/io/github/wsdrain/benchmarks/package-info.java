/**
 * Benchmarks of wsdrain against stock Spring WebSocket and raw loopback transfer.
 */
package io.github.wsdrain.benchmarks;

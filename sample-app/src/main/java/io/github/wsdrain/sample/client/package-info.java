/**
 * Client mode of the sample app: read one WebSocket until it closes and print a JSON summary.
 */
package io.github.wsdrain.sample.client;

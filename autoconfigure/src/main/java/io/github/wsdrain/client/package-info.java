/**
 * Pull-style WebSocket client that returns every message received before the close, then the close.
 */
package io.github.wsdrain.client;

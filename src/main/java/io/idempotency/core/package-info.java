/**
 * Core types of idempotent request handling: keys, request fingerprints, stored responses and the key store SPI.
 */
@NullMarked
package io.idempotency.core;

import org.jspecify.annotations.NullMarked;

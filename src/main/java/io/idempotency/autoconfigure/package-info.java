/**
 * Spring Boot auto-configuration of the idempotency filter and its stores.
 */
@NullMarked
package io.idempotency.autoconfigure;

import org.jspecify.annotations.NullMarked;

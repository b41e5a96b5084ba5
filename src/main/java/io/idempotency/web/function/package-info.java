/**
 * Idempotent handling for functional WebFlux routes: a {@code HandlerFilterFunction} that one route adds.
 */
@NullMarked
package io.idempotency.web.function;

import org.jspecify.annotations.NullMarked;

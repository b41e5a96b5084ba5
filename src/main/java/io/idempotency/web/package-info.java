/**
 * Idempotent handling of WebFlux exchanges: the {@code WebFilter}, the shared exchange handler and its policy.
 */
@NullMarked
package io.idempotency.web;

import org.jspecify.annotations.NullMarked;

/**
 * Spring Cloud Gateway integration: the {@code Idempotency} route filter and the web filter exclusion for its routes.
 */
@NullMarked
package io.idempotency.gateway;

import org.jspecify.annotations.NullMarked;

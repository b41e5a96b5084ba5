/**
 * In-memory key store for a single application instance.
 */
@NullMarked
package io.idempotency.store.memory;

import org.jspecify.annotations.NullMarked;

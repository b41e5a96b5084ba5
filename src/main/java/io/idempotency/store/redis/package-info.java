/**
 * Redis key store, shared by every application instance that uses the same Redis.
 */
@NullMarked
package io.idempotency.store.redis;

import org.jspecify.annotations.NullMarked;

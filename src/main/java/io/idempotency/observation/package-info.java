/**
 * Micrometer Observation support: observes idempotent requests, store calls and waits for a key's owner.
 */
@NullMarked
package io.idempotency.observation;

import org.jspecify.annotations.NullMarked;

package io.idempotency.web;

import java.time.Clock;

import io.idempotency.core.IdempotencyKeyStore;
import io.idempotency.store.memory.InMemoryIdempotencyKeyStore;

/**
 * Behaviour of the idempotency filter over real HTTP with the in-memory store.
 */
class InMemoryIdempotencyBehaviourTests extends AbstractIdempotencyBehaviourTests {

	@Override
	protected IdempotencyKeyStore createStore() {
		return new InMemoryIdempotencyKeyStore(10_000, 64 * 1024 * 1024, Clock.systemUTC());
	}

}

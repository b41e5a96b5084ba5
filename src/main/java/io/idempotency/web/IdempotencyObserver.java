package io.idempotency.web;

import reactor.core.publisher.Mono;

import io.idempotency.core.IdempotencyKeyStore;

import org.springframework.web.server.ServerWebExchange;

/**
 * Callback of {@link IdempotentExchangeHandler} for metrics or tracing, called once per request that carries a key
 * or is rejected for lacking one. Requests that do not take part are not observed. It may also wrap the key store.
 *
 * <p>Implementations must not block and must subscribe to the given {@code Mono} exactly once. When it ends, the
 * decided outcome is available from {@link IdempotencyOutcome#of(ServerWebExchange)}; it is {@code null} only if the
 * request was cancelled or failed before one was decided.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
@FunctionalInterface
public interface IdempotencyObserver {

	/** An observer that records nothing. */
	IdempotencyObserver NONE = (exchange, handling) -> handling;


	/**
	 * Wraps the handling of one request.
	 * @param exchange the current exchange
	 * @param handling the handling of the request, from parsing its key to the end of its response
	 * @return the handling, observed
	 */
	Mono<Void> observe(ServerWebExchange exchange, Mono<Void> handling);

	/**
	 * Wraps the key store of a handler, for example to time each store call. Called once, when the handler is
	 * created.
	 * @param store the key store
	 * @return the store to use, by default the given one
	 */
	default IdempotencyKeyStore observeStore(IdempotencyKeyStore store) {
		return store;
	}

}

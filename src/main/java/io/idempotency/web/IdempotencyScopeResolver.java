package io.idempotency.web;

import reactor.core.publisher.Mono;

import org.springframework.web.server.ServerWebExchange;

/**
 * Strategy that decides whose key a request carries, so that two callers that send the same key value never share
 * a record.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
@FunctionalInterface
public interface IdempotencyScopeResolver {

	/**
	 * Resolves the scope of a request's key.
	 * @param exchange the current exchange
	 * @return the scope, or an empty {@code Mono} when the caller cannot be determined
	 */
	Mono<String> resolveScope(ServerWebExchange exchange);

	/**
	 * Returns a resolver that puts every key in one scope shared by all callers.
	 * @return a resolver that always returns an empty string
	 */
	static IdempotencyScopeResolver shared() {
		return (exchange) -> Mono.just("");
	}

}

package io.idempotency.web;

import reactor.core.publisher.Mono;

import org.springframework.web.server.ServerWebExchange;

/**
 * Strategy that makes {@link IdempotencyWebFilter} pass an exchange on untouched, for example because a gateway
 * route applies idempotency to it with settings of its own. The auto-configured filter applies every bean of this
 * type.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
@FunctionalInterface
public interface WebFilterExclusion {

	/**
	 * Tells whether the web filter leaves an exchange alone. Called only for requests whose method takes part.
	 * @param exchange the current exchange
	 * @return {@code true} to pass the exchange on untouched; an empty {@code Mono} counts as {@code false}
	 */
	Mono<Boolean> excludes(ServerWebExchange exchange);

}

package io.idempotency.web;

import reactor.core.publisher.Mono;

import org.springframework.web.server.ServerWebExchange;

/**
 * Strategy that decides whose key a request carries, so that two callers that send the same key value never share
 * a record.
 *
 * <p>When {@link #resolveScope} completes empty, {@link IdempotentExchangeHandler} rejects the request with a 400
 * {@code unresolved-scope} problem whose detail is {@link #getUnresolvedDetail()}, and the handler does not run.
 * Wrap a resolver with {@link #orSharedScope()} to put such requests in the shared scope instead.
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
	 * Returns the detail of the problem response for a request whose scope cannot be resolved: what the client must
	 * send so that its caller is known.
	 * @return a sentence for the client
	 */
	default String getUnresolvedDetail() {
		return "Idempotency keys of this endpoint belong to the calling client, and the caller of this request could "
				+ "not be identified. Send the credentials or headers that identify the caller.";
	}

	/**
	 * Returns a resolver that uses this one and falls back to the shared scope when this one cannot resolve a scope.
	 * @return a resolver whose scope is never empty
	 */
	default IdempotencyScopeResolver orSharedScope() {
		IdempotencyScopeResolver resolver = this;
		return (exchange) -> resolver.resolveScope(exchange).defaultIfEmpty("");
	}

	/**
	 * Returns a resolver that puts every key in one scope shared by all callers.
	 * @return a resolver that always returns an empty string
	 */
	static IdempotencyScopeResolver shared() {
		return (exchange) -> Mono.just("");
	}

	/**
	 * Returns a resolver that scopes keys by the name of the authenticated principal, from
	 * {@link ServerWebExchange#getPrincipal()}. Spring Security's anonymous authentication does not count as a caller,
	 * so an anonymous request has no scope.
	 * @return a resolver whose scope is {@code principal:} followed by the principal's name
	 */
	static IdempotencyScopeResolver principal() {
		return new PrincipalScopeResolver();
	}

	/**
	 * Returns a resolver that scopes keys by the value of a request header, for example a tenant id. A request
	 * without the header, with an empty value or with the header on more than one line has no scope.
	 * <p>Use it only behind a component that authenticates the header, such as a gateway that sets it, because a
	 * client that can choose the value can read the responses stored for another tenant's keys.
	 * @param headerName the request header, for example {@code X-Tenant-Id}
	 * @return a resolver whose scope is {@code header:} followed by the header value
	 */
	static IdempotencyScopeResolver header(String headerName) {
		return new HeaderScopeResolver(headerName);
	}

}

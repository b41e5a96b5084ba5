package io.idempotency.web;

import java.security.Principal;

import reactor.core.publisher.Mono;

import org.springframework.util.StringUtils;
import org.springframework.web.server.ServerWebExchange;

/**
 * Scopes keys by the authenticated principal's name.
 */
final class PrincipalScopeResolver implements IdempotencyScopeResolver {

	/**
	 * Spring Security's token for anonymous requests, matched by name so that Spring Security stays optional. Every
	 * anonymous caller has the same principal name, so it must not become a scope.
	 */
	private static final String ANONYMOUS_TOKEN =
			"org.springframework.security.authentication.AnonymousAuthenticationToken";


	@Override
	public Mono<String> resolveScope(ServerWebExchange exchange) {
		return exchange.getPrincipal()
			.filter((principal) -> !isAnonymous(principal) && StringUtils.hasLength(principal.getName()))
			.map((principal) -> "principal:" + principal.getName());
	}

	@Override
	public String getUnresolvedDetail() {
		return "Idempotency keys of this endpoint belong to the authenticated caller, and this request is not "
				+ "authenticated. Authenticate, then send the request with the key again.";
	}

	private static boolean isAnonymous(Principal principal) {
		for (Class<?> type = principal.getClass(); type != null; type = type.getSuperclass()) {
			if (type.getName().equals(ANONYMOUS_TOKEN)) {
				return true;
			}
		}
		return false;
	}

}

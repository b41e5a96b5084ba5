package io.idempotency.web;

import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.util.Assert;
import org.springframework.util.StringUtils;
import org.springframework.web.server.ServerWebExchange;

/**
 * Scopes keys by the value of one request header.
 */
final class HeaderScopeResolver implements IdempotencyScopeResolver {

	private final String headerName;


	HeaderScopeResolver(String headerName) {
		Assert.hasText(headerName, "'headerName' must not be empty");
		this.headerName = headerName;
	}


	@Override
	public Mono<String> resolveScope(ServerWebExchange exchange) {
		List<String> values = exchange.getRequest().getHeaders().get(this.headerName);
		if (values == null || values.size() != 1) {
			return Mono.empty();
		}
		String value = values.get(0).strip();
		return StringUtils.hasLength(value) ? Mono.just("header:" + value) : Mono.empty();
	}

	@Override
	public String getUnresolvedDetail() {
		return "Idempotency keys of this endpoint belong to the caller named in the " + this.headerName
				+ " header. Send that header exactly once with a non-empty value.";
	}

}

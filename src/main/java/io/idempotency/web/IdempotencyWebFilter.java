package io.idempotency.web;

import java.util.List;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.server.PathContainer;
import org.springframework.util.Assert;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * {@link WebFilter} that makes requests with an idempotency key safe to retry.
 *
 * <p>Requests whose method is in the policy and that carry the key header go through an
 * {@link IdempotentExchangeHandler}; other requests pass untouched. On paths that match a required-key pattern, a
 * request without a key is rejected with 400. Paths that match an excluded pattern are never handled, and neither
 * are exchanges that a {@link WebFilterExclusion} excludes.
 *
 * <p>Build one with {@link #builder(IdempotentExchangeHandler)}:
 * <pre class="code">
 * IdempotencyWebFilter filter = IdempotencyWebFilter.builder(handler)
 *     .policy(IdempotencyPolicy.builder().timeToLive(Duration.ofHours(1)).build())
 *     .requiredPaths("/orders/**")
 *     .build();
 * </pre>
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
public final class IdempotencyWebFilter implements WebFilter, Ordered {

	/** The default order: after Spring Security's filter chain (-100), so the principal is known. */
	public static final int DEFAULT_ORDER = 0;

	private final IdempotentExchangeHandler handler;

	private final IdempotencyPolicy policy;

	private final IdempotencyPolicy requiredKeyPolicy;

	private final List<PathPattern> requiredPaths;

	private final List<PathPattern> excludedPaths;

	private final List<WebFilterExclusion> exclusions;

	private final int order;


	private IdempotencyWebFilter(Builder builder) {
		this.handler = builder.handler;
		this.policy = builder.policy;
		this.requiredKeyPolicy = builder.policy.mutate().keyRequired(true).build();
		this.requiredPaths = parse(builder.requiredPaths);
		this.excludedPaths = parse(builder.excludedPaths);
		this.exclusions = builder.exclusions;
		this.order = builder.order;
	}


	/**
	 * Creates a builder for a filter that delegates to the given handler.
	 * @param handler the handler that runs each exchange
	 * @return a new builder
	 */
	public static Builder builder(IdempotentExchangeHandler handler) {
		return new Builder(handler);
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		PathContainer path = exchange.getRequest().getPath().pathWithinApplication();
		if (matches(this.excludedPaths, path)) {
			return chain.filter(exchange);
		}
		IdempotencyPolicy applied = (matches(this.requiredPaths, path)) ? this.requiredKeyPolicy : this.policy;
		if (this.exclusions.isEmpty() || !applied.getMethods().contains(exchange.getRequest().getMethod())) {
			return this.handler.handle(exchange, applied, chain::filter);
		}
		return Flux.fromIterable(this.exclusions)
			.concatMap((exclusion) -> exclusion.excludes(exchange))
			.any(Boolean::booleanValue)
			.flatMap((excluded) -> excluded ? chain.filter(exchange)
					: this.handler.handle(exchange, applied, chain::filter));
	}

	@Override
	public int getOrder() {
		return this.order;
	}

	private static boolean matches(List<PathPattern> patterns, PathContainer path) {
		for (PathPattern pattern : patterns) {
			if (pattern.matches(path)) {
				return true;
			}
		}
		return false;
	}

	private static List<PathPattern> parse(List<String> patterns) {
		return patterns.stream().map(PathPatternParser.defaultInstance::parse).toList();
	}


	/**
	 * Builder of {@link IdempotencyWebFilter}.
	 */
	public static final class Builder {

		private final IdempotentExchangeHandler handler;

		private IdempotencyPolicy policy = IdempotencyPolicy.builder().build();

		private List<String> requiredPaths = List.of();

		private List<String> excludedPaths = List.of();

		private List<WebFilterExclusion> exclusions = List.of();

		private int order = DEFAULT_ORDER;

		private Builder(IdempotentExchangeHandler handler) {
			Assert.notNull(handler, "'handler' must not be null");
			this.handler = handler;
		}

		/**
		 * Sets the policy, {@link IdempotencyPolicy#builder() the default policy} if not set.
		 */
		public Builder policy(IdempotencyPolicy policy) {
			Assert.notNull(policy, "'policy' must not be null");
			this.policy = policy;
			return this;
		}

		/**
		 * Sets path patterns, in {@link PathPattern} syntax, on which requests without a key get 400.
		 */
		public Builder requiredPaths(String... patterns) {
			return requiredPaths(List.of(patterns));
		}

		/**
		 * Sets path patterns, in {@link PathPattern} syntax, on which requests without a key get 400.
		 */
		public Builder requiredPaths(List<String> patterns) {
			this.requiredPaths = List.copyOf(patterns);
			return this;
		}

		/**
		 * Sets path patterns, in {@link PathPattern} syntax, that the filter never handles, even with a key.
		 */
		public Builder excludedPaths(List<String> patterns) {
			this.excludedPaths = List.copyOf(patterns);
			return this;
		}

		/**
		 * Sets strategies that exclude exchanges; an exchange that any of them excludes is passed on untouched.
		 */
		public Builder exclusions(List<WebFilterExclusion> exclusions) {
			this.exclusions = List.copyOf(exclusions);
			return this;
		}

		/**
		 * Sets the filter order, {@link #DEFAULT_ORDER} if not set.
		 */
		public Builder order(int order) {
			this.order = order;
			return this;
		}

		/**
		 * Builds the filter.
		 * @return a new filter
		 */
		public IdempotencyWebFilter build() {
			return new IdempotencyWebFilter(this);
		}

	}

}

package io.idempotency.gateway;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import io.idempotency.web.IdempotencyPolicy;
import io.idempotency.web.IdempotentExchangeHandler;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.support.GatewayToStringStyler;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.util.Assert;
import org.springframework.web.server.ServerWebExchange;

/**
 * Gateway filter factory named {@code Idempotency} that makes the requests of one route safe to retry, with the
 * same {@link IdempotentExchangeHandler} and key store as the global web filter.
 *
 * <p>Each route starts from the application's {@link IdempotencyPolicy} and may override whether a key is required,
 * the time to live, the maximum wait and the methods that take part:
 * <pre class="code">
 * spring.cloud.gateway.server.webflux.routes:
 *   - id: orders
 *     uri: http://orders:8080
 *     predicates:
 *       - Path=/orders/**
 *     filters:
 *       - name: Idempotency
 *         args:
 *           required: true
 *           time-to-live: 1h
 *           max-wait: 5s
 *           methods: POST,PUT
 * </pre>
 * {@code - Idempotency} alone applies the application's policy, and {@code - Idempotency=true} requires a key. In
 * the Java route DSL, pass {@code factory.apply((config) -> config.setRequired(true))} to
 * {@code filters((f) -> f.filter(...))}.
 *
 * <p>The filter runs before {@link NettyWriteResponseFilter}, whatever its place in the route's list, so it
 * captures the downstream response as it is written. A replayed response never reaches the downstream service.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 * @see IdempotentRouteExclusion
 */
public class IdempotencyGatewayFilterFactory
		extends AbstractGatewayFilterFactory<IdempotencyGatewayFilterFactory.Config> {

	/** The order of the filters: just before {@link NettyWriteResponseFilter}, which writes the response. */
	public static final int FILTER_ORDER = NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 1;

	private final IdempotentExchangeHandler handler;

	private final IdempotencyPolicy policy;


	/**
	 * Creates a factory.
	 * @param handler the handler shared with the other filters of the application
	 * @param policy the policy that each route's settings start from
	 */
	public IdempotencyGatewayFilterFactory(IdempotentExchangeHandler handler, IdempotencyPolicy policy) {
		super(Config.class);
		Assert.notNull(handler, "'handler' must not be null");
		Assert.notNull(policy, "'policy' must not be null");
		this.handler = handler;
		this.policy = policy;
	}


	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("required");
	}

	@Override
	public GatewayFilter apply(Config config) {
		return new IdempotencyGatewayFilter(config.applyTo(this.policy));
	}


	/**
	 * Settings of one route; each one left unset keeps the value of the application's policy.
	 */
	public static class Config {

		private @Nullable Boolean required;

		private @Nullable Duration timeToLive;

		private @Nullable Duration maxWait;

		private @Nullable List<HttpMethod> methods;

		public @Nullable Boolean getRequired() {
			return this.required;
		}

		/**
		 * Sets whether a request without a key is rejected with 400.
		 */
		public Config setRequired(@Nullable Boolean required) {
			this.required = required;
			return this;
		}

		public @Nullable Duration getTimeToLive() {
			return this.timeToLive;
		}

		/**
		 * Sets how long a stored response is kept and replayed.
		 */
		public Config setTimeToLive(@Nullable Duration timeToLive) {
			this.timeToLive = timeToLive;
			return this;
		}

		public @Nullable Duration getMaxWait() {
			return this.maxWait;
		}

		/**
		 * Sets how long a duplicate waits for the in-flight request with the same key before it gets 409.
		 */
		public Config setMaxWait(@Nullable Duration maxWait) {
			this.maxWait = maxWait;
			return this;
		}

		public @Nullable List<HttpMethod> getMethods() {
			return this.methods;
		}

		/**
		 * Sets the HTTP methods that take part; requests with other methods pass untouched.
		 */
		public Config setMethods(@Nullable List<HttpMethod> methods) {
			this.methods = methods;
			return this;
		}

		/**
		 * Derives the route's policy from the application's policy.
		 * @param policy the application's policy
		 * @return the policy with this route's settings applied
		 */
		public IdempotencyPolicy applyTo(IdempotencyPolicy policy) {
			IdempotencyPolicy.Builder builder = policy.mutate();
			if (this.required != null) {
				builder.keyRequired(this.required);
			}
			if (this.timeToLive != null) {
				builder.timeToLive(this.timeToLive);
			}
			if (this.maxWait != null) {
				builder.maxWait(this.maxWait);
			}
			if (this.methods != null) {
				builder.methods(this.methods);
			}
			return builder.build();
		}

	}


	/**
	 * The filter of one route.
	 */
	final class IdempotencyGatewayFilter implements GatewayFilter, Ordered {

		private final IdempotencyPolicy policy;

		IdempotencyGatewayFilter(IdempotencyPolicy policy) {
			this.policy = policy;
		}

		@Override
		public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
			return IdempotencyGatewayFilterFactory.this.handler.handle(exchange, this.policy, chain::filter);
		}

		@Override
		public int getOrder() {
			return FILTER_ORDER;
		}

		@Override
		public String toString() {
			return GatewayToStringStyler.filterToStringCreator(IdempotencyGatewayFilterFactory.this)
				.append("required", this.policy.isKeyRequired())
				.append("timeToLive", this.policy.getTimeToLive())
				.append("maxWait", this.policy.getMaxWait())
				.append("methods", this.policy.getMethods())
				.toString();
		}

	}

}

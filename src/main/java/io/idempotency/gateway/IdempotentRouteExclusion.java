package io.idempotency.gateway;

import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import io.idempotency.web.IdempotencyWebFilter;
import io.idempotency.web.WebFilterExclusion;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.web.server.ServerWebExchange;

/**
 * Excludes from the global {@link IdempotencyWebFilter} the requests of gateway routes that have an
 * {@code Idempotency} filter, so that the route filter handles them with the route's settings and no request is
 * handled twice. Requests of other routes, and requests that match no route, stay with the web filter.
 *
 * <p>The web filter runs before the gateway picks a route, so this exclusion evaluates the route predicates in the
 * same order as the gateway, once more per request that takes part.
 * <p>NOTE: a predicate whose result depends on the gateway's own web filters, such as {@code Weight}, is evaluated
 * before those filters ran; a route that only such a predicate selects is left to the web filter, which then takes
 * precedence over the route filter.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
public final class IdempotentRouteExclusion implements WebFilterExclusion {

	private static final Log logger = LogFactory.getLog(IdempotentRouteExclusion.class);

	private final Supplier<RouteLocator> routeLocatorSupplier;

	/** The route locator, looked up on the first request without a lock, so no event loop waits for another. */
	private volatile @Nullable RouteLocator routeLocator;


	/**
	 * Creates an exclusion.
	 * @param routeLocator supplies the gateway's route locator; called on the first request, after the routes exist
	 */
	public IdempotentRouteExclusion(Supplier<RouteLocator> routeLocator) {
		this.routeLocatorSupplier = routeLocator;
	}


	@Override
	public Mono<Boolean> excludes(ServerWebExchange exchange) {
		return routeLocator().getRoutes()
			.filterWhen((route) -> matches(route, exchange))
			.next()
			.map(IdempotentRouteExclusion::hasIdempotencyFilter);
	}

	private RouteLocator routeLocator() {
		RouteLocator locator = this.routeLocator;
		if (locator == null) {
			// Two requests may both look it up; both get the same singleton bean.
			locator = this.routeLocatorSupplier.get();
			this.routeLocator = locator;
		}
		return locator;
	}

	private static Mono<Boolean> matches(Route route, ServerWebExchange exchange) {
		// The gateway sets this attribute while it tests a route; some predicates read it.
		exchange.getAttributes().put(ServerWebExchangeUtils.GATEWAY_PREDICATE_ROUTE_ATTR, route.getId());
		try {
			return Mono.from(route.getPredicate().apply(exchange));
		}
		catch (RuntimeException ex) {
			// The gateway logs the same failure when it tests the route itself.
			if (logger.isDebugEnabled()) {
				logger.debug(exchange.getLogPrefix() + "Failed to apply the predicate of route " + route.getId(), ex);
			}
			return Mono.just(false);
		}
	}

	private static boolean hasIdempotencyFilter(Route route) {
		for (GatewayFilter filter : route.getFilters()) {
			GatewayFilter unwrapped = (filter instanceof OrderedGatewayFilter ordered) ? ordered.getDelegate() : filter;
			if (unwrapped instanceof IdempotencyGatewayFilterFactory.IdempotencyGatewayFilter) {
				return true;
			}
		}
		return false;
	}

}

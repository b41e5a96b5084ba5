package io.idempotency.autoconfigure;

import io.idempotency.gateway.IdempotencyGatewayFilterFactory;
import io.idempotency.gateway.IdempotentRouteExclusion;
import io.idempotency.web.IdempotencyPolicy;
import io.idempotency.web.IdempotentExchangeHandler;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code Idempotency} gateway filter for Spring Cloud Gateway server-webflux.
 *
 * <p>Active when the gateway is on the classpath and enabled. The filter factory shares the handler, key store and
 * policy of {@link IdempotencyAutoConfiguration}. The {@link IdempotentRouteExclusion} bean keeps the global web
 * filter away from routes that have the filter, so their own settings apply.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
@AutoConfiguration(after = IdempotencyAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass({ GatewayFilterFactory.class, RouteLocator.class })
@ConditionalOnBooleanProperty(name = "spring.cloud.gateway.server.webflux.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "idempotency.gateway.enabled", matchIfMissing = true)
@ConditionalOnBean({ IdempotentExchangeHandler.class, IdempotencyPolicy.class })
public final class IdempotencyGatewayAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	IdempotencyGatewayFilterFactory idempotencyGatewayFilterFactory(IdempotentExchangeHandler handler,
			IdempotencyPolicy policy) {
		return new IdempotencyGatewayFilterFactory(handler, policy);
	}

	@Bean
	@ConditionalOnMissingBean
	IdempotentRouteExclusion idempotentRouteExclusion(ObjectProvider<RouteLocator> routeLocator) {
		return new IdempotentRouteExclusion(routeLocator::getObject);
	}

}

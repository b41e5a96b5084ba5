package io.idempotency.autoconfigure;

import java.time.Clock;

import io.idempotency.core.IdempotencyKeyStore;
import io.idempotency.store.memory.InMemoryIdempotencyKeyStore;
import io.idempotency.web.IdempotencyObserver;
import io.idempotency.web.IdempotencyPolicy;
import io.idempotency.web.IdempotencyScopeResolver;
import io.idempotency.web.IdempotencyWebFilter;
import io.idempotency.web.IdempotentExchangeHandler;
import io.idempotency.web.WebFilterExclusion;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;
import org.springframework.web.server.WebFilter;

/**
 * Auto-configuration of the idempotency {@link WebFilter} and the in-memory key store.
 *
 * <p>The scope resolver comes from {@code idempotency.scope.*} unless the application defines an
 * {@link IdempotencyScopeResolver} bean; {@code idempotency.scope.when-unresolved=shared} applies to either. An
 * {@link IdempotencyObserver} bean, such as the one that {@link IdempotencyObservationAutoConfiguration} defines,
 * observes every request that takes part.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass(WebFilter.class)
@ConditionalOnBooleanProperty(name = "idempotency.enabled", matchIfMissing = true)
@EnableConfigurationProperties(IdempotencyProperties.class)
public final class IdempotencyAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	IdempotencyPolicy idempotencyPolicy(IdempotencyProperties properties) {
		return properties.toPolicy();
	}

	@Bean
	@ConditionalOnMissingBean
	IdempotencyScopeResolver idempotencyScopeResolver(IdempotencyProperties properties) {
		IdempotencyProperties.Scope scope = properties.getScope();
		return switch (scope.getMode()) {
			case NONE -> IdempotencyScopeResolver.shared();
			case PRINCIPAL -> IdempotencyScopeResolver.principal();
			case HEADER -> {
				Assert.state(StringUtils.hasText(scope.getHeaderName()),
						"idempotency.scope.header-name must be set when idempotency.scope.mode is 'header'");
				yield IdempotencyScopeResolver.header(scope.getHeaderName());
			}
		};
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnProperty(name = "idempotency.store", havingValue = "memory", matchIfMissing = true)
	IdempotencyKeyStore inMemoryIdempotencyKeyStore(IdempotencyProperties properties) {
		IdempotencyProperties.Memory memory = properties.getMemory();
		return new InMemoryIdempotencyKeyStore(memory.getMaxEntries(), memory.getMaxSize().toBytes(),
				Clock.systemUTC());
	}

	@Bean(destroyMethod = "dispose")
	@ConditionalOnMissingBean
	IdempotentExchangeHandler idempotentExchangeHandler(IdempotencyKeyStore store,
			IdempotencyScopeResolver scopeResolver, ObjectProvider<IdempotencyObserver> observer,
			IdempotencyProperties properties) {
		IdempotencyScopeResolver applied = scopeResolver;
		if (properties.getScope().getWhenUnresolved() == IdempotencyProperties.UnresolvedScopeAction.SHARED) {
			applied = scopeResolver.orSharedScope();
		}
		return new IdempotentExchangeHandler(store, applied, observer.getIfAvailable(() -> IdempotencyObserver.NONE));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "idempotency.filter-enabled", matchIfMissing = true)
	IdempotencyWebFilter idempotencyWebFilter(IdempotentExchangeHandler handler, IdempotencyPolicy policy,
			IdempotencyProperties properties, ObjectProvider<WebFilterExclusion> exclusions) {
		return IdempotencyWebFilter.builder(handler)
			.policy(policy)
			.requiredPaths(properties.getRequiredPaths())
			.excludedPaths(properties.getExcludedPaths())
			.exclusions(exclusions.orderedStream().toList())
			.order(properties.getFilterOrder())
			.build();
	}

}

package io.idempotency.autoconfigure;

import java.time.Clock;

import io.idempotency.core.IdempotencyKeyStore;
import io.idempotency.store.memory.InMemoryIdempotencyKeyStore;
import io.idempotency.web.IdempotencyPolicy;
import io.idempotency.web.IdempotencyScopeResolver;
import io.idempotency.web.IdempotencyWebFilter;
import io.idempotency.web.IdempotentExchangeHandler;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.web.server.WebFilter;

/**
 * Auto-configuration of the idempotency {@link WebFilter} and the in-memory key store.
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
	IdempotencyScopeResolver idempotencyScopeResolver() {
		return IdempotencyScopeResolver.shared();
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
			IdempotencyScopeResolver scopeResolver) {
		return new IdempotentExchangeHandler(store, scopeResolver);
	}

	@Bean
	@ConditionalOnMissingBean
	IdempotencyWebFilter idempotencyWebFilter(IdempotentExchangeHandler handler, IdempotencyPolicy policy,
			IdempotencyProperties properties) {
		return IdempotencyWebFilter.builder(handler)
			.policy(policy)
			.requiredPaths(properties.getRequiredPaths())
			.excludedPaths(properties.getExcludedPaths())
			.order(properties.getFilterOrder())
			.build();
	}

}

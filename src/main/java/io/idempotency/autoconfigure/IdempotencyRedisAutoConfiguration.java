package io.idempotency.autoconfigure;

import io.idempotency.core.IdempotencyKeyStore;
import io.idempotency.store.redis.RedisIdempotencyKeyStore;
import io.idempotency.web.IdempotencyPolicy;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;

/**
 * Auto-configuration of the Redis key store, active when {@code idempotency.store=redis} and a
 * {@link ReactiveRedisConnectionFactory} is configured, for example by Spring Boot from {@code spring.data.redis.*}.
 *
 * <p>It also defines the {@link IdempotencyPolicy}, so that {@code idempotency.redis.failure-mode} decides what a
 * request does when Redis fails. An application that defines its own policy sets the failure mode on it.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
@AutoConfiguration(before = IdempotencyAutoConfiguration.class, after = DataRedisReactiveAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass(ReactiveRedisConnectionFactory.class)
@ConditionalOnBooleanProperty(name = "idempotency.enabled", matchIfMissing = true)
@ConditionalOnProperty(name = "idempotency.store", havingValue = "redis")
@ConditionalOnBean(ReactiveRedisConnectionFactory.class)
@EnableConfigurationProperties({ IdempotencyProperties.class, IdempotencyRedisProperties.class })
public final class IdempotencyRedisAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	IdempotencyPolicy idempotencyPolicy(IdempotencyProperties properties, IdempotencyRedisProperties redisProperties) {
		return properties.toPolicy().mutate().storeFailureMode(redisProperties.getFailureMode()).build();
	}

	@Bean
	@ConditionalOnMissingBean(IdempotencyKeyStore.class)
	RedisIdempotencyKeyStore redisIdempotencyKeyStore(ReactiveRedisConnectionFactory connectionFactory,
			IdempotencyRedisProperties properties) {
		return RedisIdempotencyKeyStore.builder(connectionFactory)
			.keyPrefix(properties.getKeyPrefix())
			.commandTimeout(properties.getCommandTimeout())
			.pollInterval(properties.getPollInterval())
			.build();
	}

}

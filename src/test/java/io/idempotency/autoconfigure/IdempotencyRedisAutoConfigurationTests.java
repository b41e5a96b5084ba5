package io.idempotency.autoconfigure;

import java.time.Clock;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.idempotency.core.IdempotencyKeyStore;
import io.idempotency.core.Reservation;
import io.idempotency.store.memory.InMemoryIdempotencyKeyStore;
import io.idempotency.store.redis.RedisIdempotencyKeyStore;
import io.idempotency.testsupport.RedisServer;
import io.idempotency.web.IdempotencyPolicy;

import org.springframework.beans.factory.UnsatisfiedDependencyException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests of {@link IdempotencyRedisAutoConfiguration}.
 */
class IdempotencyRedisAutoConfigurationTests {

	private static RedisServer redis;

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
				DataRedisReactiveAutoConfiguration.class, IdempotencyRedisAutoConfiguration.class,
				IdempotencyAutoConfiguration.class))
		.withPropertyValues("spring.data.redis.host=" + RedisServer.HOST, "spring.data.redis.port=" + redis.port());


	@BeforeAll
	static void startRedis() {
		redis = RedisServer.start();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@Test
	void redisStoreIsUsedWhenStoreIsRedis() {
		this.contextRunner.withPropertyValues("idempotency.store=redis").run((context) -> {
			assertThat(context).hasSingleBean(IdempotencyKeyStore.class);
			assertThat(context.getBean(IdempotencyKeyStore.class)).isInstanceOf(RedisIdempotencyKeyStore.class);
			Reservation reservation = context.getBean(IdempotencyKeyStore.class)
				.reserve("auto-configured", "fingerprint", Duration.ofSeconds(5))
				.block(Duration.ofSeconds(10));
			assertThat(reservation).isInstanceOf(Reservation.Reserved.class);
		});
	}

	@Test
	void inMemoryStoreIsUsedByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).doesNotHaveBean(RedisIdempotencyKeyStore.class);
			assertThat(context).hasSingleBean(InMemoryIdempotencyKeyStore.class);
		});
	}

	@Test
	void redisPropertiesAreAppliedToStore() {
		this.contextRunner
			.withPropertyValues("idempotency.store=redis", "idempotency.redis.key-prefix=orders:",
					"idempotency.redis.command-timeout=250ms", "idempotency.redis.poll-interval=2s")
			.run((context) -> assertThat(context.getBean(RedisIdempotencyKeyStore.class))
				.hasFieldOrPropertyWithValue("keyPrefix", "orders:")
				.hasFieldOrPropertyWithValue("commandTimeout", Duration.ofMillis(250))
				.hasFieldOrPropertyWithValue("pollInterval", Duration.ofSeconds(2)));
	}

	@Test
	void failureModeIsFailClosedByDefault() {
		this.contextRunner.withPropertyValues("idempotency.store=redis")
			.run((context) -> assertThat(context.getBean(IdempotencyPolicy.class).getStoreFailureMode())
				.isEqualTo(IdempotencyPolicy.StoreFailureMode.FAIL_CLOSED));
	}

	@Test
	void failureModePropertySetsPolicy() {
		this.contextRunner.withPropertyValues("idempotency.store=redis", "idempotency.redis.failure-mode=fail-open")
			.run((context) -> assertThat(context.getBean(IdempotencyPolicy.class).getStoreFailureMode())
				.isEqualTo(IdempotencyPolicy.StoreFailureMode.FAIL_OPEN));
	}

	@Test
	void policyKeepsOtherIdempotencyProperties() {
		this.contextRunner.withPropertyValues("idempotency.store=redis", "idempotency.lease=7s")
			.run((context) -> assertThat(context.getBean(IdempotencyPolicy.class).getLease())
				.isEqualTo(Duration.ofSeconds(7)));
	}

	@Test
	void userDefinedStoreIsKept() {
		this.contextRunner.withPropertyValues("idempotency.store=redis")
			.withUserConfiguration(UserStoreConfiguration.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(IdempotencyKeyStore.class);
				assertThat(context).doesNotHaveBean(RedisIdempotencyKeyStore.class);
			});
	}

	@Test
	void userDefinedPolicyIsKept() {
		this.contextRunner.withPropertyValues("idempotency.store=redis", "idempotency.redis.failure-mode=fail-open")
			.withUserConfiguration(UserPolicyConfiguration.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(IdempotencyPolicy.class);
				assertThat(context.getBean(IdempotencyPolicy.class).getMaxWait()).isEqualTo(Duration.ofSeconds(3));
				assertThat(context.getBean(IdempotencyPolicy.class).getStoreFailureMode())
					.isEqualTo(IdempotencyPolicy.StoreFailureMode.FAIL_CLOSED);
			});
	}

	@Test
	void storeIsMissingWithoutConnectionFactory() {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(IdempotencyRedisAutoConfiguration.class, IdempotencyAutoConfiguration.class))
			.withPropertyValues("idempotency.store=redis")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).hasMessageContaining(IdempotencyKeyStore.class.getName());
			});
	}

	@Test
	void backsOffWithoutSpringDataRedis() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(ReactiveRedisConnectionFactory.class))
			.withPropertyValues("idempotency.store=redis")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).isInstanceOf(UnsatisfiedDependencyException.class)
					.hasMessageContaining(IdempotencyKeyStore.class.getName());
			});
	}

	@Test
	void backsOffWhenIdempotencyIsDisabled() {
		this.contextRunner.withPropertyValues("idempotency.store=redis", "idempotency.enabled=false")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(RedisIdempotencyKeyStore.class);
				assertThat(context).doesNotHaveBean(IdempotencyPolicy.class);
			});
	}

	@Test
	void keyPrefixWithBraceFailsStartup() {
		this.contextRunner.withPropertyValues("idempotency.store=redis", "idempotency.redis.key-prefix=app:{x}:")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("'keyPrefix' must not contain '{' or '}'");
			});
	}


	@Configuration(proxyBeanMethods = false)
	static class UserStoreConfiguration {

		@Bean
		IdempotencyKeyStore userStore() {
			return new InMemoryIdempotencyKeyStore(10, 1024, Clock.systemUTC());
		}

	}


	@Configuration(proxyBeanMethods = false)
	static class UserPolicyConfiguration {

		@Bean
		IdempotencyPolicy userPolicy() {
			return IdempotencyPolicy.builder().maxWait(Duration.ofSeconds(3)).build();
		}

	}

}

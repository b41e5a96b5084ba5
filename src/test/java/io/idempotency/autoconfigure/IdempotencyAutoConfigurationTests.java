package io.idempotency.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.idempotency.core.IdempotencyKeyStore;
import io.idempotency.store.memory.InMemoryIdempotencyKeyStore;
import io.idempotency.web.IdempotencyPolicy;
import io.idempotency.web.IdempotencyScopeResolver;
import io.idempotency.web.IdempotencyWebFilter;
import io.idempotency.web.IdempotentExchangeHandler;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.http.HttpMethod;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link IdempotencyAutoConfiguration}.
 */
class IdempotencyAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(IdempotencyAutoConfiguration.class));


	@Test
	void filterAndInMemoryStoreAreCreatedByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(IdempotencyWebFilter.class);
			assertThat(context).hasSingleBean(IdempotentExchangeHandler.class);
			assertThat(context).getBean(IdempotencyKeyStore.class).isInstanceOf(InMemoryIdempotencyKeyStore.class);
		});
	}

	@Test
	void nothingIsCreatedWhenDisabled() {
		this.contextRunner.withPropertyValues("idempotency.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(IdempotencyWebFilter.class)
				.doesNotHaveBean(IdempotencyKeyStore.class));
	}

	@Test
	void nothingIsCreatedOutsideReactiveWebApplication() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(IdempotencyAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(IdempotencyWebFilter.class));
	}

	@Test
	void userStoreReplacesInMemoryStore() {
		IdempotencyKeyStore userStore = new InMemoryIdempotencyKeyStore(1, 1, Clock.systemUTC());
		this.contextRunner.withBean(IdempotencyKeyStore.class, () -> userStore)
			.run((context) -> assertThat(context).getBean(IdempotencyKeyStore.class).isSameAs(userStore));
	}

	@Test
	void userFilterReplacesAutoConfiguredFilter() {
		this.contextRunner
			.withBean("customFilter", IdempotencyWebFilter.class,
					() -> IdempotencyWebFilter.builder(new IdempotentExchangeHandler(
							new InMemoryIdempotencyKeyStore(1, 1, Clock.systemUTC()),
							IdempotencyScopeResolver.shared())).build())
			.run((context) -> assertThat(context).hasSingleBean(IdempotencyWebFilter.class)
				.hasBean("customFilter"));
	}

	@Test
	void propertiesBindToPolicy() {
		this.contextRunner
			.withPropertyValues("idempotency.header-name=X-Request-Key", "idempotency.methods=POST,PUT",
					"idempotency.time-to-live=1h", "idempotency.lease=1s", "idempotency.max-wait=5s",
					"idempotency.max-key-length=64", "idempotency.max-request-body-size=64KB",
					"idempotency.max-response-body-size=2MB", "idempotency.store-server-errors=true",
					"idempotency.transient-statuses=429", "idempotency.on-release=reject",
					"idempotency.replay.included-headers=Location", "idempotency.replay.excluded-headers=Date")
			.run((context) -> {
				IdempotencyPolicy policy = context.getBean(IdempotencyPolicy.class);
				assertThat(policy.getHeaderName()).isEqualTo("X-Request-Key");
				assertThat(policy.getMethods()).containsExactlyInAnyOrder(HttpMethod.POST, HttpMethod.PUT);
				assertThat(policy.getTimeToLive()).isEqualTo(Duration.ofHours(1));
				assertThat(policy.getLease()).isEqualTo(IdempotencyPolicy.MIN_LEASE);
				assertThat(policy.getMaxWait()).isEqualTo(Duration.ofSeconds(5));
				assertThat(policy.getMaxKeyLength()).isEqualTo(64);
				assertThat(policy.getMaxRequestBodySize()).isEqualTo(64 * 1024);
				assertThat(policy.getMaxResponseBodySize()).isEqualTo(2 * 1024 * 1024);
				assertThat(policy.isStored(500)).isTrue();
				assertThat(policy.isStored(409)).isTrue();
				assertThat(policy.isStored(429)).isFalse();
				assertThat(policy.getReleasedWaitAction()).isEqualTo(IdempotencyPolicy.ReleasedWaitAction.REJECT);
				assertThat(policy.getIncludedHeaders()).isEqualTo(Set.of("location"));
				assertThat(policy.isReplayedHeader("Date")).isFalse();
				assertThat(policy.isReplayedHeader("Location")).isTrue();
				assertThat(policy.isReplayedHeader("ETag")).isFalse();
			});
	}

	@Test
	void defaultsMatchDocumentedPolicy() {
		this.contextRunner.run((context) -> {
			IdempotencyPolicy policy = context.getBean(IdempotencyPolicy.class);
			assertThat(policy.getHeaderName()).isEqualTo("Idempotency-Key");
			assertThat(policy.getMethods()).containsExactlyInAnyOrder(HttpMethod.POST, HttpMethod.PATCH);
			assertThat(policy.getTimeToLive()).isEqualTo(Duration.ofHours(24));
			assertThat(policy.getLease()).isEqualTo(Duration.ofSeconds(30));
			assertThat(policy.getMaxWait()).isEqualTo(Duration.ofSeconds(10));
			assertThat(policy.getMaxKeyLength()).isEqualTo(255);
			assertThat(policy.isStored(201)).isTrue();
			assertThat(policy.isStored(404)).isTrue();
			assertThat(policy.isStored(409)).isFalse();
			assertThat(policy.isStored(500)).isFalse();
			assertThat(policy.isReplayedHeader("Set-Cookie")).isFalse();
			assertThat(policy.isReplayedHeader("Location")).isTrue();
		});
	}

}

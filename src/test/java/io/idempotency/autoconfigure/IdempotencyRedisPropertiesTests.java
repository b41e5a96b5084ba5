package io.idempotency.autoconfigure;

import org.junit.jupiter.api.Test;

import io.idempotency.store.redis.RedisIdempotencyKeyStore;
import io.idempotency.web.IdempotencyPolicy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests of {@link IdempotencyRedisProperties}.
 */
class IdempotencyRedisPropertiesTests {

	private final IdempotencyRedisProperties properties = new IdempotencyRedisProperties();

	@Test
	void defaultsMatchStoreDefaults() {
		assertThat(this.properties.getKeyPrefix()).isEqualTo(RedisIdempotencyKeyStore.DEFAULT_KEY_PREFIX);
		assertThat(this.properties.getCommandTimeout()).isEqualTo(RedisIdempotencyKeyStore.DEFAULT_COMMAND_TIMEOUT);
		assertThat(this.properties.getPollInterval()).isEqualTo(RedisIdempotencyKeyStore.DEFAULT_POLL_INTERVAL);
	}

	@Test
	void failureModeIsFailClosedByDefault() {
		assertThat(this.properties.getFailureMode()).isEqualTo(IdempotencyPolicy.StoreFailureMode.FAIL_CLOSED);
	}

}

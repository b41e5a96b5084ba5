package io.idempotency.store.redis;

import io.idempotency.testsupport.RedisExecutable;
import io.idempotency.testsupport.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the {@link RedisIdempotencyKeyStoreTests} against Redis 6.2, the oldest version the store supports, with the
 * binary that the {@code embedded-redis} test dependency ships.
 */
class RedisIdempotencyKeyStoreOnRedis62Tests extends RedisIdempotencyKeyStoreTests {

	@Override
	RedisServer startRedis() {
		RedisServer server = RedisServer.start(RedisExecutable.bundled());
		assertThat(server.info("server").get("redis_version")).as("version of the bundled redis-server")
			.startsWith("6.2.");
		return server;
	}

}

package io.idempotency.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import io.idempotency.core.IdempotencyKeyStore;
import io.idempotency.store.redis.RedisIdempotencyKeyStore;
import io.idempotency.testsupport.RedisServer;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Behaviour of the idempotency filter over real HTTP with the Redis store, against a {@code redis-server} on
 * loopback.
 */
class RedisIdempotencyBehaviourTests extends AbstractIdempotencyBehaviourTests {

	private static final AtomicInteger storeCount = new AtomicInteger();

	private static RedisServer redis;

	private static LettuceConnectionFactory connectionFactory;

	private final List<RedisIdempotencyKeyStore> stores = new ArrayList<>();


	@BeforeAll
	static void startRedis() {
		redis = RedisServer.start();
		connectionFactory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(RedisServer.HOST,
				redis.port()));
		connectionFactory.afterPropertiesSet();
		connectionFactory.start();
	}

	@AfterAll
	static void stopRedis() {
		connectionFactory.destroy();
		redis.close();
	}

	/**
	 * Creates a store whose key prefix no other store of the run uses, so it starts empty. The command timeout is
	 * raised from 1 s to 5 s because other builds share the machine.
	 */
	@Override
	protected IdempotencyKeyStore createStore() {
		RedisIdempotencyKeyStore store = RedisIdempotencyKeyStore.builder(connectionFactory)
			.keyPrefix("behaviour-" + storeCount.incrementAndGet() + ":")
			.commandTimeout(Duration.ofSeconds(5))
			.build();
		this.stores.add(store);
		store.connect().block(Duration.ofSeconds(10));
		return store;
	}

	@AfterEach
	void closeStores() {
		this.stores.forEach(RedisIdempotencyKeyStore::destroy);
		this.stores.clear();
	}

}

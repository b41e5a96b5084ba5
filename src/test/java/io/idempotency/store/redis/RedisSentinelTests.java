package io.idempotency.store.redis;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Flux;

import io.idempotency.testsupport.CountingApplication;
import io.idempotency.testsupport.HttpTestClient;
import io.idempotency.testsupport.HttpTestClient.Response;
import io.idempotency.testsupport.RedisServer;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests of the Redis store behind Redis Sentinel, configured through Spring Boot's
 * {@code spring.data.redis.sentinel.*}, over real HTTP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisSentinelTests {

	private RedisServer master;

	private RedisServer sentinel;

	private ConfigurableApplicationContext application;

	private HttpTestClient http;


	@BeforeAll
	void startSentinelAndInstance() {
		this.master = RedisServer.start();
		this.sentinel = RedisServer.startSentinel(this.master, "orders");
		this.application = CountingApplication.start("idempotency.store=redis",
				"idempotency.redis.command-timeout=5s", "work.delay=300ms", "spring.data.redis.sentinel.master=orders",
				"spring.data.redis.sentinel.nodes=" + RedisServer.HOST + ":" + this.sentinel.port());
		this.http = new HttpTestClient(32);
	}

	@AfterAll
	void stopSentinelAndInstance() {
		this.http.close();
		this.application.close();
		this.sentinel.close();
		this.master.close();
	}

	@Test
	void duplicatesThroughSentinelRunHandlerOnce() {
		int port = CountingApplication.port(this.application);
		String key = UUID.randomUUID().toString();

		List<Response> responses = Flux.range(0, 10)
			.flatMap((i) -> this.http.post(port, "/work", key, "sentinel"), 10)
			.collectList()
			.block(Duration.ofSeconds(60));
		Response replay = this.http.postAndWait(port, "/work", key, "sentinel");

		assertThat(CountingApplication.executions(this.application)).isEqualTo(1);
		assertThat(responses).extracting(Response::status).containsOnly(201);
		assertThat(responses).extracting(Response::body).containsOnly(replay.body());
		assertThat(replay.isReplayed()).isTrue();
		assertThat((List<?>) this.master.execute("KEYS", "idempotency:*")).as("records on the master").hasSize(1);
	}

}

package io.idempotency.store.redis;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.idempotency.core.IdempotencyKey;
import io.idempotency.testsupport.CountingApplication;
import io.idempotency.testsupport.HttpTestClient;
import io.idempotency.testsupport.HttpTestClient.Response;
import io.idempotency.testsupport.RedisServer;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Counts the Redis commands that one request costs, with {@code INFO commandstats}.
 *
 * <p>The class has a Redis and an instance of its own, because a command of another test that arrives after
 * {@code CONFIG RESETSTAT} would be counted too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisRoundTripTests {

	/** The commands that the store's Lua scripts run, and that the store never sends by itself. */
	private static final Set<String> SCRIPT_COMMANDS = Set.of("hmget", "hget", "hset", "hdel", "del", "pexpire",
			"publish");

	private static final Set<String> TEST_COMMANDS = Set.of("info", "hgetall");

	private RedisServer redis;

	private ConfigurableApplicationContext application;

	private HttpTestClient http;


	@BeforeAll
	void startInstance() {
		this.redis = RedisServer.start();
		this.application = CountingApplication.start("idempotency.store=redis",
				"idempotency.redis.command-timeout=5s", "spring.data.redis.host=" + RedisServer.HOST,
				"spring.data.redis.port=" + this.redis.port());
		this.http = new HttpTestClient(4);
		// Opens the store's connections and loads its scripts before anything is counted.
		String warmUp = UUID.randomUUID().toString();
		assertThat(this.http.postAndWait(CountingApplication.port(this.application), "/work", warmUp, "warm-up")
			.status()).isEqualTo(201);
		awaitCompleted(warmUp);
	}

	@AfterAll
	void stopInstance() {
		this.http.close();
		this.application.close();
		this.redis.close();
	}

	@Test
	void firstRequestCostsTwoCommandsAndReplayOne() {
		int port = CountingApplication.port(this.application);
		String key = UUID.randomUUID().toString();

		this.redis.execute("CONFIG", "RESETSTAT");
		Response first = this.http.postAndWait(port, "/work", key, "counted");
		awaitCompleted(key);
		Map<String, Long> firstCalls = clientCommandCalls();
		this.redis.execute("CONFIG", "RESETSTAT");
		Response replay = this.http.postAndWait(port, "/work", key, "counted");
		Map<String, Long> replayCalls = clientCommandCalls();

		assertThat(first.status()).isEqualTo(201);
		assertThat(firstCalls).as("Redis commands of a first request: reserve and complete")
			.containsExactly(Map.entry("evalsha", 2L));
		assertThat(replay.isReplayed()).isTrue();
		assertThat(replayCalls).as("Redis commands of a replay: reserve").containsExactly(Map.entry("evalsha", 1L));
	}

	@Test
	void emptyScriptCacheCostsOneEvalPerScript() {
		int port = CountingApplication.port(this.application);
		String key = UUID.randomUUID().toString();
		this.redis.execute("SCRIPT", "FLUSH");
		this.redis.execute("CONFIG", "RESETSTAT");

		Response response = this.http.postAndWait(port, "/work", key, "cold");
		awaitCompleted(key);

		assertThat(response.status()).isEqualTo(201);
		assertThat(clientCommandCalls()).as("Redis commands of a request after SCRIPT FLUSH: EVALSHA fails with "
				+ "NOSCRIPT and EVAL loads the script, for reserve and for complete")
			.containsOnly(Map.entry("evalsha", 2L), Map.entry("eval", 2L));
	}

	/**
	 * Waits until the record of a key is completed: the client receives the response before the engine stores it.
	 * The wait uses {@code HGETALL}, a command the store never sends.
	 */
	private void awaitCompleted(String key) {
		String recordKey = "idempotency:{" + new IdempotencyKey("", key).storageId() + "}";
		await().atMost(Duration.ofSeconds(10))
			.until(() -> String.valueOf(this.redis.execute("HGETALL", recordKey)).contains("completed"));
	}

	/**
	 * Returns the calls of each command that a client sent since {@code CONFIG RESETSTAT}. Redis also counts the
	 * commands that scripts run, so those are left out, as are the test's own {@code INFO}, {@code CONFIG} and
	 * {@code HGETALL}.
	 */
	private Map<String, Long> clientCommandCalls() {
		Map<String, Long> calls = new TreeMap<>();
		this.redis.info("commandstats").forEach((name, stats) -> {
			String command = name.substring("cmdstat_".length());
			if (!SCRIPT_COMMANDS.contains(command) && !TEST_COMMANDS.contains(command)
					&& !command.startsWith("config")) {
				calls.put(command, this.redis.commandCalls(command));
			}
		});
		return calls;
	}

}

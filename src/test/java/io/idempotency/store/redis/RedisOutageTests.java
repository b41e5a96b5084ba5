package io.idempotency.store.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import io.idempotency.core.IdempotencyKey;
import io.idempotency.testsupport.CountingApplication;
import io.idempotency.testsupport.HttpTestClient;
import io.idempotency.testsupport.HttpTestClient.Response;
import io.idempotency.testsupport.RedisServer;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests of instances whose Redis stops and starts again on the same port, over real HTTP.
 *
 * <p>Before each stop the test saves a snapshot that the restarted server loads, as a Redis with persistence would
 * keep its data across a restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class RedisOutageTests {

	private RedisServer redis;

	private ConfigurableApplicationContext failClosed;

	private ConfigurableApplicationContext failOpen;

	private HttpTestClient http;


	@BeforeAll
	void startInstances() {
		this.redis = RedisServer.start();
		this.failClosed = startInstance("closed", "idempotency.redis.failure-mode=fail-closed");
		this.failOpen = startInstance("open", "idempotency.redis.failure-mode=fail-open");
		this.http = new HttpTestClient(16);
	}

	@AfterAll
	void stopInstances() {
		this.http.close();
		this.failClosed.close();
		this.failOpen.close();
		this.redis.close();
	}

	@AfterEach
	void restartRedisIfStopped() {
		if (!this.redis.isRunning()) {
			this.redis.restart();
		}
	}

	@Test
	void failClosedAnswers503UntilRedisIsBack() {
		int port = CountingApplication.port(this.failClosed);
		String storedKey = UUID.randomUUID().toString();
		String newKey = UUID.randomUUID().toString();
		Response stored = this.http.postAndWait(port, "/work", storedKey, "before the outage");
		awaitCompleted(storedKey);
		this.redis.execute("SAVE");

		this.redis.stop();
		Response storedDuringOutage = this.http.postAndWait(port, "/work", storedKey, "before the outage");
		Response newDuringOutage = this.http.postAndWait(port, "/work", newKey, "during the outage");
		long executionsDuringOutage = CountingApplication.executions(this.failClosed);
		this.redis.restart();
		List<Response> untilRecovered = new ArrayList<>();
		await().atMost(Duration.ofSeconds(40)).pollInterval(250, TimeUnit.MILLISECONDS).until(() -> {
			Response retry = this.http.postAndWait(port, "/work", storedKey, "before the outage");
			untilRecovered.add(retry);
			return retry.status() != 503;
		});
		Response newAfterOutage = this.http.postAndWait(port, "/work", newKey, "during the outage");
		Response newReplayed = this.http.postAndWait(port, "/work", newKey, "during the outage");

		assertThat(stored.status()).isEqualTo(201);
		assertThat(storedDuringOutage.isProblem(503)).as("stored key during the outage: %s", storedDuringOutage)
			.isTrue();
		assertThat(storedDuringOutage.headers().getFirst("Retry-After")).isNotNull();
		assertThat(newDuringOutage.isProblem(503)).as("new key during the outage: %s", newDuringOutage).isTrue();
		assertThat(newDuringOutage.headers().getFirst("Retry-After")).isNotNull();
		assertThat(executionsDuringOutage).as("executions after the outage began").isEqualTo(1);
		assertThat(untilRecovered.subList(0, untilRecovered.size() - 1)).allMatch((r) -> r.isProblem(503));
		Response recovered = untilRecovered.get(untilRecovered.size() - 1);
		assertThat(recovered.isReplayed()).as("first response after the restart replays").isTrue();
		assertThat(recovered.body()).isEqualTo(stored.body());
		assertThat(newAfterOutage.status()).isEqualTo(201);
		assertThat(newAfterOutage.isReplayed()).isFalse();
		assertThat(newReplayed.isReplayed()).isTrue();
		assertThat(newReplayed.body()).isEqualTo(newAfterOutage.body());
		assertThat(CountingApplication.executions(this.failClosed)).as("executions for two keys").isEqualTo(2);
	}

	@Test
	void failOpenRunsHandlerWithoutProtectionDuringOutage(CapturedOutput output) {
		int port = CountingApplication.port(this.failOpen);
		String key = UUID.randomUUID().toString();
		this.http.postAndWait(port, "/work", UUID.randomUUID().toString(), "connects the store before the outage");
		long executionsBefore = CountingApplication.executions(this.failOpen);

		this.redis.stop();
		Response first = this.http.postAndWait(port, "/work", key, "during the outage");
		Response retry = this.http.postAndWait(port, "/work", key, "during the outage");
		this.redis.restart();
		String keyAfterOutage = UUID.randomUUID().toString();
		await().atMost(Duration.ofSeconds(40)).pollInterval(250, TimeUnit.MILLISECONDS)
			.until(() -> this.http.postAndWait(port, "/work", keyAfterOutage, "after the outage").isReplayed());

		assertThat(first.status()).isEqualTo(201);
		assertThat(first.isReplayed()).isFalse();
		assertThat(retry.status()).isEqualTo(201);
		assertThat(retry.isReplayed()).as("retry during the outage is not protected").isFalse();
		assertThat(retry.body()).isNotEqualTo(first.body());
		assertThat(output).contains("running the handler without idempotency protection");
		assertThat(CountingApplication.executions(this.failOpen) - executionsBefore)
			.as("executions: two during the outage, then one for the key sent after it").isEqualTo(3);
	}

	private ConfigurableApplicationContext startInstance(String name, String failureMode) {
		// A short command timeout keeps requests during the outage quick.
		return CountingApplication.start("work.instance=" + name, "idempotency.store=redis", failureMode,
				"idempotency.redis.command-timeout=500ms", "spring.data.redis.host=" + RedisServer.HOST,
				"spring.data.redis.port=" + this.redis.port());
	}

	private void awaitCompleted(String key) {
		String recordKey = "idempotency:{" + new IdempotencyKey("", key).storageId() + "}";
		await().atMost(Duration.ofSeconds(10))
			.until(() -> "completed".equals(this.redis.execute("HGET", recordKey, "state")));
	}

}

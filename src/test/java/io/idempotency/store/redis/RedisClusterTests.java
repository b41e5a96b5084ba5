package io.idempotency.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Flux;

import io.idempotency.core.IdempotencyKey;
import io.idempotency.core.Reservation;
import io.idempotency.core.StoredResponse;
import io.idempotency.testsupport.CountingApplication;
import io.idempotency.testsupport.HttpTestClient;
import io.idempotency.testsupport.HttpTestClient.Response;
import io.idempotency.testsupport.RedisCluster;
import io.idempotency.testsupport.RedisServer;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests of the Redis store on a three-master Redis Cluster on loopback, through Lettuce's cluster client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisClusterTests {

	private static final Duration LEASE = Duration.ofSeconds(30);

	private static final Duration TIME_TO_LIVE = Duration.ofHours(1);

	private static final Duration VERIFY_TIMEOUT = Duration.ofSeconds(10);

	private static final String FINGERPRINT = "c".repeat(64);

	private RedisCluster cluster;

	private LettuceConnectionFactory connectionFactory;

	/** A store whose waits are woken only by Pub/Sub messages, because its poll interval is one hour. */
	private RedisIdempotencyKeyStore store;


	@BeforeAll
	void startCluster() {
		this.cluster = RedisCluster.start();
		this.connectionFactory = new LettuceConnectionFactory(new RedisClusterConfiguration(this.cluster.addresses()));
		this.connectionFactory.afterPropertiesSet();
		this.connectionFactory.start();
		this.store = RedisIdempotencyKeyStore.builder(this.connectionFactory)
			.pollInterval(Duration.ofHours(1))
			.commandTimeout(Duration.ofSeconds(5))
			.build();
		this.store.connect().block(VERIFY_TIMEOUT);
	}

	@AfterAll
	void stopCluster() {
		this.store.destroy();
		this.connectionFactory.destroy();
		this.cluster.close();
	}

	@Test
	void recordAndChannelMapToOneSlot() {
		String id = newStorageId();

		long recordSlot = this.cluster.slot(this.store.recordKey(id));

		assertThat(this.cluster.slot(this.store.channelName(id))).isEqualTo(recordSlot);
		assertThat(recordSlot).isEqualTo(this.cluster.slot(id));
	}

	@Test
	void reserveCompleteAndReplayOnEveryMaster() {
		for (Map.Entry<RedisServer, String> entry : storageIdPerNode().entrySet()) {
			String id = entry.getValue();
			StoredResponse response = new StoredResponse(201, List.of(Map.entry("Content-Type", "text/plain")),
					id.getBytes(StandardCharsets.UTF_8));

			Reservation reserved = this.store.reserve(id, FINGERPRINT, LEASE).block(VERIFY_TIMEOUT);
			assertThat(reserved).isInstanceOf(Reservation.Reserved.class);
			String token = ((Reservation.Reserved) reserved).ownerToken();
			assertThat(this.store.reserve(id, FINGERPRINT, LEASE).block(VERIFY_TIMEOUT))
				.isEqualTo(new Reservation.InFlight(FINGERPRINT));
			assertThat(this.store.complete(id, token, FINGERPRINT, response, TIME_TO_LIVE).block(VERIFY_TIMEOUT))
				.isTrue();
			assertThat(this.store.reserve(id, FINGERPRINT, LEASE).block(VERIFY_TIMEOUT))
				.isEqualTo(new Reservation.Completed(FINGERPRINT, response));
			assertThat(entry.getKey().execute("HGET", this.store.recordKey(id), "state"))
				.as("record on node %s", entry.getKey())
				.isEqualTo("completed");
		}
	}

	@Test
	void completionOnEveryMasterWakesWait() {
		for (Map.Entry<RedisServer, String> entry : storageIdPerNode().entrySet()) {
			String id = entry.getValue();
			String token = ((Reservation.Reserved) this.store.reserve(id, FINGERPRINT, LEASE).block(VERIFY_TIMEOUT))
				.ownerToken();
			CompletableFuture<Reservation.Completed> waiter = this.store.awaitCompletion(id).toFuture();
			await().atMost(VERIFY_TIMEOUT).until(() -> subscriberCount(this.store.channelName(id)) == 1);

			this.store
				.complete(id, token, FINGERPRINT, new StoredResponse(200, List.of(), new byte[] { 1 }), TIME_TO_LIVE)
				.block(VERIFY_TIMEOUT);

			assertThat(waiter).as("wait for a key on node %s", entry.getKey())
				.succeedsWithin(VERIFY_TIMEOUT)
				.isNotNull();
		}
	}

	@Test
	void springBootClusterConfigurationServesDuplicatesOnce() {
		ConfigurableApplicationContext application = CountingApplication.start("idempotency.store=redis",
				"idempotency.redis.command-timeout=5s", "work.delay=300ms",
				"spring.data.redis.cluster.nodes=" + String.join(",", this.cluster.addresses()));
		try (HttpTestClient http = new HttpTestClient(64)) {
			int port = CountingApplication.port(application);
			String key = UUID.randomUUID().toString();

			List<Response> responses = Flux.range(0, 20)
				.flatMap((i) -> http.post(port, "/work", key, "cluster"), 20)
				.collectList()
				.block(Duration.ofSeconds(60));
			Response replay = http.postAndWait(port, "/work", key, "cluster");

			assertThat(CountingApplication.executions(application)).isEqualTo(1);
			assertThat(responses).extracting(Response::status).containsOnly(201);
			assertThat(responses).extracting(Response::body).containsOnly(replay.body());
			assertThat(replay.isReplayed()).isTrue();
		}
		finally {
			application.close();
		}
	}

	/**
	 * Returns one new storage id for each node, each id in a slot that the node serves.
	 */
	private Map<RedisServer, String> storageIdPerNode() {
		Map<RedisServer, String> ids = new LinkedHashMap<>();
		while (ids.size() < this.cluster.nodes().size()) {
			String id = newStorageId();
			ids.putIfAbsent(this.cluster.nodeFor(this.store.recordKey(id)), id);
		}
		return ids;
	}

	/**
	 * Returns the subscribers of a channel over all nodes, because {@code PUBSUB NUMSUB} counts only the clients of
	 * the node that runs it.
	 */
	private long subscriberCount(String channel) {
		long count = 0;
		for (RedisServer node : this.cluster.nodes()) {
			count += (Long) ((List<?>) node.execute("PUBSUB", "NUMSUB", channel)).get(1);
		}
		return count;
	}

	private static String newStorageId() {
		return new IdempotencyKey("cluster", UUID.randomUUID().toString()).storageId();
	}

}

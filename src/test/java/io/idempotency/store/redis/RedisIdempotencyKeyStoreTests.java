package io.idempotency.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.test.StepVerifier;

import io.idempotency.core.IdempotencyKey;
import io.idempotency.core.Reservation;
import io.idempotency.core.StoredResponse;
import io.idempotency.core.UnreadableRecordException;
import io.idempotency.testsupport.RedisServer;

import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests of {@link RedisIdempotencyKeyStore} against a real {@code redis-server} on loopback.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisIdempotencyKeyStoreTests {

	private static final Duration LEASE = Duration.ofSeconds(30);

	private static final Duration TIME_TO_LIVE = Duration.ofHours(24);

	private static final String FINGERPRINT = "f".repeat(64);

	private static final String OTHER_FINGERPRINT = "0".repeat(64);

	private static final Duration VERIFY_TIMEOUT = Duration.ofSeconds(10);

	/** A command timeout for the stores under test that a loaded machine does not reach. */
	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

	private RedisServer redis;

	private LettuceConnectionFactory connectionFactory;

	/** A store whose waits are woken only by Pub/Sub messages, because its poll interval is one hour. */
	private RedisIdempotencyKeyStore store;

	private final List<RedisIdempotencyKeyStore> extraStores = new ArrayList<>();


	/**
	 * Starts the server under test; subclasses run the same tests against another Redis.
	 */
	RedisServer startRedis() {
		return RedisServer.start();
	}

	@BeforeAll
	void startRedisAndConnect() {
		this.redis = startRedis();
		this.connectionFactory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(RedisServer.HOST, this.redis.port()));
		this.connectionFactory.afterPropertiesSet();
		this.connectionFactory.start();
	}

	@AfterAll
	void stopRedis() {
		this.connectionFactory.destroy();
		this.redis.close();
	}

	@BeforeEach
	void createStore() {
		this.redis.execute("FLUSHALL");
		this.store = newStore(Duration.ofHours(1));
	}

	@AfterEach
	void closeStores() {
		this.extraStores.forEach(RedisIdempotencyKeyStore::destroy);
		this.extraStores.clear();
	}

	@Test
	void reserveReservesFreeKeyWithLeaseAsExpiry() {
		String id = newStorageId();

		Reservation reservation = this.store.reserve(id, FINGERPRINT, LEASE).block(VERIFY_TIMEOUT);

		assertThat(reservation).isInstanceOf(Reservation.Reserved.class);
		String key = this.store.recordKey(id);
		assertThat(this.redis.execute("HGET", key, "state")).isEqualTo("in-flight");
		assertThat(this.redis.execute("HGET", key, "fingerprint")).isEqualTo(FINGERPRINT);
		assertThat(this.redis.execute("HGET", key, "token"))
			.isEqualTo(((Reservation.Reserved) reservation).ownerToken());
		assertThat((Long) this.redis.execute("PTTL", key)).as("PTTL of an in-flight record")
			.isPositive()
			.isLessThanOrEqualTo(LEASE.toMillis());
	}

	@Test
	void reserveReturnsInFlightWithFingerprintOfOwner() {
		String id = newStorageId();
		reserve(id);

		StepVerifier.create(this.store.reserve(id, OTHER_FINGERPRINT, LEASE))
			.expectNext(new Reservation.InFlight(FINGERPRINT))
			.expectComplete()
			.verify(VERIFY_TIMEOUT);
	}

	@Test
	void completeStoresResponseThatReserveReturns() {
		String id = newStorageId();
		String token = reserve(id);
		StoredResponse response = binaryResponse();

		StepVerifier.create(this.store.complete(id, token, FINGERPRINT, response, TIME_TO_LIVE))
			.expectNext(true)
			.expectComplete()
			.verify(VERIFY_TIMEOUT);

		StepVerifier.create(this.store.reserve(id, OTHER_FINGERPRINT, LEASE))
			.expectNext(new Reservation.Completed(FINGERPRINT, response))
			.expectComplete()
			.verify(VERIFY_TIMEOUT);
		String key = this.store.recordKey(id);
		assertThat(this.redis.execute("HGET", key, "state")).isEqualTo("completed");
		assertThat(this.redis.execute("HEXISTS", key, "token")).as("token kept after completion").isEqualTo(0L);
		assertThat((Long) this.redis.execute("PTTL", key)).as("PTTL of a completed record")
			.isGreaterThan(TIME_TO_LIVE.minusMinutes(1).toMillis())
			.isLessThanOrEqualTo(TIME_TO_LIVE.toMillis());
	}

	@Test
	void completeRoundTripsBinaryBodyAndHeaders() {
		String id = newStorageId();
		String token = reserve(id);
		StoredResponse response = binaryResponse();
		this.store.complete(id, token, FINGERPRINT, response, TIME_TO_LIVE).block(VERIFY_TIMEOUT);

		Reservation.Completed completed = (Reservation.Completed) this.store.reserve(id, FINGERPRINT, LEASE)
			.block(VERIFY_TIMEOUT);

		assertThat(completed.response().status()).isEqualTo(201);
		assertThat(completed.response().headers()).containsExactlyElementsOf(response.headers());
		assertThat(completed.response().body()).isEqualTo(response.body());
	}

	@Test
	void completeOfCompletedRecordReturnsFalse() {
		String id = newStorageId();
		String token = reserve(id);
		this.store.complete(id, token, FINGERPRINT, textResponse("first"), TIME_TO_LIVE).block(VERIFY_TIMEOUT);

		StepVerifier.create(this.store.complete(id, token, FINGERPRINT, textResponse("second"), TIME_TO_LIVE))
			.expectNext(false)
			.expectComplete()
			.verify(VERIFY_TIMEOUT);

		Reservation.Completed completed = (Reservation.Completed) this.store.reserve(id, FINGERPRINT, LEASE)
			.block(VERIFY_TIMEOUT);
		assertThat(new String(completed.response().body(), StandardCharsets.UTF_8)).isEqualTo("first");
	}

	@Test
	void completeFinishesWhenCallerCancels() {
		String id = newStorageId();
		String token = reserve(id);
		this.redis.execute("SCRIPT", "FLUSH");

		// A client that closes its connection right after the response cancels the exchange, and with it this call.
		this.store.complete(id, token, FINGERPRINT, textResponse("done"), TIME_TO_LIVE).subscribe().dispose();

		await().atMost(VERIFY_TIMEOUT)
			.untilAsserted(() -> assertThat(this.redis.execute("HGET", this.store.recordKey(id), "state"))
				.isEqualTo("completed"));
	}

	@Test
	void reserveCancelledByCallerReleasesKey() {
		String id = newStorageId();
		this.redis.execute("SCRIPT", "FLUSH");

		// A client that disconnects while the reservation is in flight cancels this call.
		this.store.reserve(id, FINGERPRINT, LEASE).subscribe().dispose();

		await().atMost(VERIFY_TIMEOUT)
			.untilAsserted(() -> assertThat(this.redis.execute("EXISTS", this.store.recordKey(id))).isEqualTo(0L));
		StepVerifier.create(this.store.reserve(id, FINGERPRINT, LEASE))
			.assertNext((reservation) -> assertThat(reservation).isInstanceOf(Reservation.Reserved.class))
			.verifyComplete();
	}

	@Test
	void releaseFinishesWhenCallerCancels() {
		String id = newStorageId();
		String token = reserve(id);
		this.redis.execute("SCRIPT", "FLUSH");

		this.store.release(id, token).subscribe().dispose();

		await().atMost(VERIFY_TIMEOUT)
			.untilAsserted(() -> assertThat(this.redis.execute("EXISTS", this.store.recordKey(id))).isEqualTo(0L));
	}

	@Test
	void releaseFreesKeyForNextReserve() {
		String id = newStorageId();
		String token = reserve(id);

		StepVerifier.create(this.store.release(id, token)).expectNext(true).expectComplete().verify(VERIFY_TIMEOUT);

		assertThat(this.redis.execute("EXISTS", this.store.recordKey(id))).isEqualTo(0L);
		StepVerifier.create(this.store.reserve(id, FINGERPRINT, LEASE))
			.assertNext((reservation) -> assertThat(reservation).isInstanceOf(Reservation.Reserved.class))
			.expectComplete()
			.verify(VERIFY_TIMEOUT);
	}

	@Test
	void releaseKeepsCompletedRecord() {
		String id = newStorageId();
		String token = reserve(id);
		this.store.complete(id, token, FINGERPRINT, textResponse("done"), TIME_TO_LIVE).block(VERIFY_TIMEOUT);

		StepVerifier.create(this.store.release(id, token)).expectNext(false).expectComplete().verify(VERIFY_TIMEOUT);

		assertThat(this.redis.execute("HGET", this.store.recordKey(id), "state")).isEqualTo("completed");
	}

	@Test
	void renewResetsExpiryToNewLease() {
		String id = newStorageId();
		String token = reserve(id, Duration.ofSeconds(5));

		StepVerifier.create(this.store.renew(id, token, Duration.ofSeconds(60)))
			.expectNext(true)
			.expectComplete()
			.verify(VERIFY_TIMEOUT);

		assertThat((Long) this.redis.execute("PTTL", this.store.recordKey(id))).as("PTTL after renewal")
			.isGreaterThan(55_000)
			.isLessThanOrEqualTo(60_000);
	}

	@Test
	void renewKeepsCompletedRecordExpiry() {
		String id = newStorageId();
		String token = reserve(id);
		this.store.complete(id, token, FINGERPRINT, textResponse("done"), TIME_TO_LIVE).block(VERIFY_TIMEOUT);

		StepVerifier.create(this.store.renew(id, token, LEASE))
			.expectNext(false)
			.expectComplete()
			.verify(VERIFY_TIMEOUT);

		assertThat((Long) this.redis.execute("PTTL", this.store.recordKey(id)))
			.isGreaterThan(TIME_TO_LIVE.minusMinutes(1).toMillis());
	}

	@Test
	void staleOwnerTokenIsFenced() {
		String id = newStorageId();
		String staleToken = reserve(id, Duration.ofMillis(100));
		await().atMost(Duration.ofSeconds(3))
			.until(() -> Long.valueOf(0).equals(this.redis.execute("EXISTS", this.store.recordKey(id))));
		String currentToken = reserve(id);

		StepVerifier.create(this.store.complete(id, staleToken, FINGERPRINT, textResponse("stale"), TIME_TO_LIVE))
			.expectNext(false)
			.expectComplete()
			.verify(VERIFY_TIMEOUT);
		StepVerifier.create(this.store.release(id, staleToken))
			.expectNext(false)
			.expectComplete()
			.verify(VERIFY_TIMEOUT);
		StepVerifier.create(this.store.renew(id, staleToken, TIME_TO_LIVE))
			.expectNext(false)
			.expectComplete()
			.verify(VERIFY_TIMEOUT);

		String key = this.store.recordKey(id);
		assertThat(this.redis.execute("HGET", key, "state")).isEqualTo("in-flight");
		assertThat(this.redis.execute("HGET", key, "token")).isEqualTo(currentToken);
		assertThat((Long) this.redis.execute("PTTL", key)).as("PTTL of the current owner's record")
			.isPositive()
			.isLessThanOrEqualTo(LEASE.toMillis());
	}

	@Test
	void keysShareHashTagAfterPrefix() {
		RedisIdempotencyKeyStore custom = RedisIdempotencyKeyStore.builder(this.connectionFactory)
			.keyPrefix("orders:idem:")
			.commandTimeout(COMMAND_TIMEOUT)
			.build();
		this.extraStores.add(custom);
		String id = newStorageId();

		custom.reserve(id, FINGERPRINT, LEASE).block(VERIFY_TIMEOUT);

		assertThat(custom.recordKey(id)).isEqualTo("orders:idem:{" + id + "}");
		assertThat(custom.channelName(id)).isEqualTo("orders:idem:{" + id + "}:done");
		assertThat(this.redis.execute("EXISTS", "orders:idem:{" + id + "}")).isEqualTo(1L);
	}

	@Test
	void awaitCompletionReturnsResponseWhenOwnerCompletes() {
		String id = newStorageId();
		String token = reserve(id);
		StoredResponse response = binaryResponse();
		CompletableFuture<Reservation.Completed> waiter = this.store.awaitCompletion(id).toFuture();
		awaitSubscribers(id, 1);

		this.store.complete(id, token, FINGERPRINT, response, TIME_TO_LIVE).block(VERIFY_TIMEOUT);

		assertThat(waiter).succeedsWithin(VERIFY_TIMEOUT).isEqualTo(new Reservation.Completed(FINGERPRINT, response));
	}

	@Test
	void awaitCompletionIsEmptyWhenOwnerReleases() {
		String id = newStorageId();
		String token = reserve(id);
		CompletableFuture<Reservation.Completed> waiter = this.store.awaitCompletion(id).toFuture();
		awaitSubscribers(id, 1);

		this.store.release(id, token).block(VERIFY_TIMEOUT);

		assertThat(waiter).succeedsWithin(VERIFY_TIMEOUT).isNull();
	}

	@Test
	void awaitCompletionReturnsAtOnceWhenSettled() {
		String completedId = newStorageId();
		String token = reserve(completedId);
		this.store.complete(completedId, token, FINGERPRINT, textResponse("done"), TIME_TO_LIVE).block(VERIFY_TIMEOUT);

		StepVerifier.create(this.store.awaitCompletion(completedId))
			.assertNext((completed) -> assertThat(completed.fingerprint()).isEqualTo(FINGERPRINT))
			.expectComplete()
			.verify(VERIFY_TIMEOUT);
		StepVerifier.create(this.store.awaitCompletion(newStorageId())).expectComplete().verify(VERIFY_TIMEOUT);
	}

	@Test
	void concurrentWaitsShareOneSubscription() {
		loadFetchScript();
		String id = newStorageId();
		String token = reserve(id);
		this.redis.execute("CONFIG", "RESETSTAT");

		List<CompletableFuture<Reservation.Completed>> waiters = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			waiters.add(this.store.awaitCompletion(id).toFuture());
		}
		awaitSubscribers(id, 1);
		await().atMost(VERIFY_TIMEOUT).until(() -> this.redis.commandCalls("evalsha") == 1);
		assertThat(this.store.activeWaitCount()).isEqualTo(1);
		this.store.complete(id, token, FINGERPRINT, textResponse("done"), TIME_TO_LIVE).block(VERIFY_TIMEOUT);

		for (CompletableFuture<Reservation.Completed> waiter : waiters) {
			assertThat(waiter).succeedsWithin(VERIFY_TIMEOUT).isNotNull();
		}
		awaitSubscribers(id, 0);
		await().atMost(VERIFY_TIMEOUT).until(() -> this.store.activeWaitCount() == 0);
		assertThat(this.redis.commandCalls("subscribe")).as("SUBSCRIBE calls for 5 waits").isEqualTo(1);
		assertThat(this.redis.commandCalls("evalsha")).as("EVALSHA calls: first read, complete, read after wake-up")
			.isEqualTo(3);
		assertThat(this.redis.commandCalls("eval")).as("EVAL calls").isZero();
	}

	@Test
	void cancellingOneWaitLeavesOthersWaiting() {
		String id = newStorageId();
		String token = reserve(id);
		CompletableFuture<Reservation.Completed> cancelled = this.store.awaitCompletion(id).toFuture();
		CompletableFuture<Reservation.Completed> kept = this.store.awaitCompletion(id).toFuture();
		awaitSubscribers(id, 1);

		cancelled.cancel(false);

		assertThat(subscriberCount(id)).as("subscribers after one of two waits was cancelled").isEqualTo(1);
		this.store.complete(id, token, FINGERPRINT, textResponse("done"), TIME_TO_LIVE).block(VERIFY_TIMEOUT);
		assertThat(kept).succeedsWithin(VERIFY_TIMEOUT).isNotNull();
	}

	@Test
	void sharedWaitEndsWhenEveryWaiterCancels() {
		String id = newStorageId();
		reserve(id);
		CompletableFuture<Reservation.Completed> first = this.store.awaitCompletion(id).toFuture();
		CompletableFuture<Reservation.Completed> second = this.store.awaitCompletion(id).toFuture();
		awaitSubscribers(id, 1);

		first.cancel(false);
		second.cancel(false);

		awaitSubscribers(id, 0);
		await().atMost(VERIFY_TIMEOUT).until(() -> this.store.activeWaitCount() == 0);
	}

	@Test
	void pollingFindsCompletionWhoseMessageWasLost() {
		RedisIdempotencyKeyStore polling = newStore(Duration.ofMillis(100));
		String id = newStorageId();
		reserve(id);
		CompletableFuture<Reservation.Completed> waiter = polling.awaitCompletion(id).toFuture();
		awaitSubscribers(id, 1);

		// Completes the record the way the complete script does, but without its PUBLISH.
		String key = polling.recordKey(id);
		this.redis.execute("HDEL", key, "token");
		this.redis.execute("HSET", key, "state", "completed", "response",
				StoredResponseCodec.encode(textResponse("done")));

		assertThat(waiter).succeedsWithin(VERIFY_TIMEOUT)
			.satisfies((completed) -> assertThat(completed.response().body()).asString().isEqualTo("done"));
	}

	@Test
	void pollingEndsWaitWhenLeaseLapses() {
		RedisIdempotencyKeyStore polling = newStore(Duration.ofMillis(100));
		String id = newStorageId();
		reserve(id, Duration.ofMillis(300));

		StepVerifier.create(polling.awaitCompletion(id)).expectComplete().verify(VERIFY_TIMEOUT);
	}

	@Test
	void commandTimesOutWhileRedisIsPaused() {
		RedisIdempotencyKeyStore impatient = RedisIdempotencyKeyStore.builder(this.connectionFactory)
			.commandTimeout(Duration.ofMillis(300))
			.build();
		this.extraStores.add(impatient);
		String id = newStorageId();
		reserve(newStorageId());
		impatient.connect().block(VERIFY_TIMEOUT);
		this.redis.execute("CLIENT", "PAUSE", "1500", "ALL");

		StepVerifier.create(impatient.reserve(id, FINGERPRINT, LEASE))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(QueryTimeoutException.class)
				.hasMessageContaining("reserve")
				.hasMessageContaining("300 ms"))
			.verify(VERIFY_TIMEOUT);

		// The command was already sent, so Redis runs it after the pause and the key stays reserved until its lease
		// lapses.
		await().atMost(VERIFY_TIMEOUT)
			.untilAsserted(() -> assertThat((Long) this.redis.execute("PTTL", impatient.recordKey(id))).isPositive()
				.isLessThanOrEqualTo(LEASE.toMillis()));
	}

	@Test
	void destroyEndsWaitsAndLaterCommands() {
		RedisIdempotencyKeyStore closing = newStore(Duration.ofMillis(100));
		String id = newStorageId();
		reserve(id);
		CompletableFuture<Reservation.Completed> waiter = closing.awaitCompletion(id).toFuture();
		awaitSubscribers(id, 1);

		closing.destroy();

		assertThat(waiter).failsWithin(VERIFY_TIMEOUT)
			.withThrowableThat()
			.havingRootCause()
			.withMessage("The Redis idempotency store is closed");
		StepVerifier.create(closing.reserve(newStorageId(), FINGERPRINT, LEASE))
			.expectErrorMessage("The Redis idempotency store is closed")
			.verify(VERIFY_TIMEOUT);
	}

	@Test
	void reserveFailsWhenStoredResponseIsUnreadable() {
		String id = newStorageId();
		String key = this.store.recordKey(id);
		this.redis.execute("HSET", key, "state", "completed", "fingerprint", FINGERPRINT, "response",
				new byte[] { 99, 0, 0 });

		StepVerifier.create(this.store.reserve(id, FINGERPRINT, LEASE))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(UnreadableRecordException.class)
				.hasMessageContaining("encoding version 99")
				.hasCauseInstanceOf(IllegalArgumentException.class))
			.verify(VERIFY_TIMEOUT);
	}

	private RedisIdempotencyKeyStore newStore(Duration pollInterval) {
		RedisIdempotencyKeyStore created = RedisIdempotencyKeyStore.builder(this.connectionFactory)
			.pollInterval(pollInterval)
			.commandTimeout(COMMAND_TIMEOUT)
			.build();
		this.extraStores.add(created);
		created.connect().block(VERIFY_TIMEOUT);
		return created;
	}

	private String reserve(String id) {
		return reserve(id, LEASE);
	}

	private String reserve(String id, Duration lease) {
		Reservation reservation = this.store.reserve(id, FINGERPRINT, lease).block(VERIFY_TIMEOUT);
		assertThat(reservation).isInstanceOf(Reservation.Reserved.class);
		return ((Reservation.Reserved) reservation).ownerToken();
	}

	/**
	 * Runs the fetch script once, so that Redis has it cached and later reads are one {@code EVALSHA} each.
	 */
	private void loadFetchScript() {
		String id = newStorageId();
		String token = reserve(id);
		this.store.complete(id, token, FINGERPRINT, textResponse("done"), TIME_TO_LIVE).block(VERIFY_TIMEOUT);
		this.store.awaitCompletion(id).block(VERIFY_TIMEOUT);
	}

	private void awaitSubscribers(String id, long expected) {
		await().atMost(VERIFY_TIMEOUT).pollInterval(10, TimeUnit.MILLISECONDS)
			.untilAsserted(() -> assertThat(subscriberCount(id)).as("subscribers of the channel").isEqualTo(expected));
	}

	private long subscriberCount(String id) {
		List<?> reply = (List<?>) this.redis.execute("PUBSUB", "NUMSUB", this.store.channelName(id));
		return (Long) reply.get(1);
	}

	private static String newStorageId() {
		return new IdempotencyKey("tests", UUID.randomUUID().toString()).storageId();
	}

	private static StoredResponse textResponse(String body) {
		return new StoredResponse(200, List.of(Map.entry("Content-Type", "text/plain")),
				body.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Returns a response whose body contains every byte value and whose headers repeat a name and contain commas.
	 */
	static StoredResponse binaryResponse() {
		byte[] body = new byte[1024];
		for (int i = 0; i < body.length; i++) {
			body[i] = (byte) i;
		}
		return new StoredResponse(201,
				List.of(Map.entry("Content-Type", "application/octet-stream"), Map.entry("Link", "</a>; rel=\"a, b\""),
						Map.entry("X-Multi", "one"), Map.entry("X-Multi", "two, three"),
						Map.entry("X-Unicode", "caf\u00e9 \u2713")),
				body);
	}

}

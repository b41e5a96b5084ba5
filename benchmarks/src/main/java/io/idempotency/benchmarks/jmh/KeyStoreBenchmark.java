package io.idempotency.benchmarks.jmh;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.idempotency.autoconfigure.IdempotencyProperties;
import io.idempotency.benchmarks.support.BenchmarkRedis;
import io.idempotency.benchmarks.support.IdempotencyContext;
import io.idempotency.benchmarks.support.StoreKind;
import io.idempotency.core.IdempotencyKeyStore;
import io.idempotency.core.Reservation;
import io.idempotency.core.StoredResponse;
import io.idempotency.store.memory.InMemoryIdempotencyKeyStore;

/**
 * Time of the key store operations behind one request, called one at a time and awaited: reserve a new key, reserve
 * then complete it, and the reserve of a completed key that returns the stored response for a replay.
 *
 * <p>The time of complete alone is the difference between the first two. The Redis store runs against a
 * redis-server on loopback, so each call includes one round trip; it comes from the library's auto-configuration
 * with {@code idempotency.store=redis}. The in-memory store is built like the auto-configured bean, with the default
 * bounds, and is replaced by a new one at each iteration, as Redis is flushed, because reserved keys that are never
 * completed stay until their lease lapses.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@State(Scope.Benchmark)
public class KeyStoreBenchmark {

	private static final Duration LEASE = Duration.ofSeconds(30);

	private static final Duration TIME_TO_LIVE = Duration.ofHours(24);

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final int REPLAY_KEYS = 1024;

	/** A SHA-256 in hex, as the filter sends. */
	private static final String FINGERPRINT = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

	/** The store. */
	@Param({ "memory", "redis" })
	public String store;

	/** Body size in bytes of the stored response. */
	@Param({ "256", "16384" })
	public int responseBodySize;

	private BenchmarkRedis redis;

	private IdempotencyContext context;

	private IdempotencyKeyStore keyStore;

	private StoredResponse response;

	private String[] replayIds;

	private long sequence;


	@Setup(Level.Trial)
	public void setUp() throws Exception {
		StoreKind kind = StoreKind.fromId(this.store);
		if (kind == StoreKind.REDIS) {
			this.redis = BenchmarkRedis.obtain();
			this.context = IdempotencyContext.start(kind, this.redis.port());
		}
		this.response = new StoredResponse(201,
				List.of(Map.entry("Content-Type", "application/json"), Map.entry("Location", "/orders/1")),
				new byte[this.responseBodySize]);
		this.replayIds = new String[REPLAY_KEYS];
		for (int i = 0; i < REPLAY_KEYS; i++) {
			this.replayIds[i] = storageId("replay", i);
		}
	}

	@Setup(Level.Iteration)
	public void startIteration() {
		if (this.redis != null) {
			this.context.flushRedis();
			this.keyStore = this.context.store();
		}
		else {
			// A new store like the auto-configured bean, with the same default bounds.
			IdempotencyProperties.Memory defaults = new IdempotencyProperties().getMemory();
			this.keyStore = new InMemoryIdempotencyKeyStore(defaults.getMaxEntries(), defaults.getMaxSize().toBytes(),
					Clock.systemUTC());
		}
		for (String id : this.replayIds) {
			reserveThenComplete(id);
		}
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		if (this.context != null) {
			this.context.close();
		}
		if (this.redis != null) {
			this.redis.close();
		}
	}

	@Benchmark
	public Reservation reserve() {
		return this.keyStore.reserve(storageId("new", this.sequence++), FINGERPRINT, LEASE).block(TIMEOUT);
	}

	@Benchmark
	public Boolean reserveThenComplete() {
		return reserveThenComplete(storageId("done", this.sequence++));
	}

	@Benchmark
	public Reservation replay() {
		Reservation reservation = this.keyStore
			.reserve(this.replayIds[(int) (this.sequence++ & (REPLAY_KEYS - 1))], FINGERPRINT, LEASE)
			.block(TIMEOUT);
		if (!(reservation instanceof Reservation.Completed)) {
			throw new IllegalStateException("Expected a stored response, got " + reservation);
		}
		return reservation;
	}

	private Boolean reserveThenComplete(String id) {
		Reservation reservation = this.keyStore.reserve(id, FINGERPRINT, LEASE).block(TIMEOUT);
		if (!(reservation instanceof Reservation.Reserved reserved)) {
			throw new IllegalStateException("Expected a new reservation for " + id + ", got " + reservation);
		}
		return this.keyStore.complete(id, reserved.ownerToken(), FINGERPRINT, this.response, TIME_TO_LIVE)
			.block(TIMEOUT);
	}

	/**
	 * Returns a 43-character id like the filter's storage ids, without hashing so that hashing is not measured.
	 */
	private static String storageId(String prefix, long number) {
		String digits = Long.toString(number);
		return prefix + "-".repeat(43 - prefix.length() - digits.length()) + digits;
	}

}

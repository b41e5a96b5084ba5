package io.idempotency.benchmarks.support;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import reactor.core.publisher.Mono;

import io.idempotency.core.IdempotencyKeyStore;
import io.idempotency.core.Reservation;
import io.idempotency.core.StoredResponse;

/**
 * Key store decorator that measures how long held duplicates wait after the owner of their key stores its response.
 *
 * <p>For each key it notes when the owner called {@link #complete} and, when a duplicate's
 * {@link #awaitCompletion} emits the stored record, it records the time since then. The start of the call is used
 * rather than its reply because the in-memory store wakes waiters inside the call, before it returns. For the Redis
 * store the figure therefore includes the complete call's own round trip: it is an upper bound of the delay after
 * the write. Times come from {@link System#nanoTime()} in the service JVM, where both events happen.
 *
 * <p>Recording is off until the first {@link #reset()}: until then each method only calls the delegate, so a service
 * measured for throughput pays one volatile read per store call for the decorator.
 */
public final class WaitRecordingKeyStore implements IdempotencyKeyStore {

	private final IdempotencyKeyStore delegate;

	private final ConcurrentHashMap<String, Long> completeCalledAt = new ConcurrentHashMap<>();

	private final Histogram wakeUpMicros = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(1), 3);

	private final AtomicLong wakeUpsWithoutComplete = new AtomicLong();

	private volatile boolean recording;


	/**
	 * Creates a decorator of the given store.
	 */
	public WaitRecordingKeyStore(IdempotencyKeyStore delegate) {
		this.delegate = delegate;
	}


	@Override
	public Mono<Reservation> reserve(String storageId, String fingerprint, Duration lease) {
		return this.delegate.reserve(storageId, fingerprint, lease);
	}

	@Override
	public Mono<Boolean> complete(String storageId, String ownerToken, String fingerprint, StoredResponse response,
			Duration timeToLive) {
		if (!this.recording) {
			return this.delegate.complete(storageId, ownerToken, fingerprint, response, timeToLive);
		}
		return Mono.defer(() -> {
			this.completeCalledAt.put(storageId, System.nanoTime());
			return this.delegate.complete(storageId, ownerToken, fingerprint, response, timeToLive);
		});
	}

	@Override
	public Mono<Boolean> renew(String storageId, String ownerToken, Duration lease) {
		return this.delegate.renew(storageId, ownerToken, lease);
	}

	@Override
	public Mono<Boolean> release(String storageId, String ownerToken) {
		return this.delegate.release(storageId, ownerToken);
	}

	@Override
	public Mono<Reservation.Completed> awaitCompletion(String storageId) {
		if (!this.recording) {
			return this.delegate.awaitCompletion(storageId);
		}
		return this.delegate.awaitCompletion(storageId).doOnNext((completed) -> {
			long now = System.nanoTime();
			Long calledAt = this.completeCalledAt.get(storageId);
			if (calledAt == null) {
				// Completed by a request this service did not see, or before recording started.
				this.wakeUpsWithoutComplete.incrementAndGet();
				return;
			}
			this.wakeUpMicros.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(now - calledAt)));
		});
	}

	/**
	 * Returns the recorded wake-up delays as JSON members: count, p50, p99 and max in microseconds, and the number
	 * of wake-ups whose key had no recorded complete call.
	 */
	public String statsJson() {
		Histogram copy = this.wakeUpMicros.copy();
		return "\"wakeUps\":" + copy.getTotalCount() + ",\"wakeUpP50Micros\":" + copy.getValueAtPercentile(50)
				+ ",\"wakeUpP99Micros\":" + copy.getValueAtPercentile(99) + ",\"wakeUpMaxMicros\":"
				+ copy.getMaxValue() + ",\"wakeUpsWithoutComplete\":" + this.wakeUpsWithoutComplete.get();
	}

	/**
	 * Forgets what was recorded, for example after a warm-up, and starts recording if it was off.
	 */
	public void reset() {
		this.wakeUpMicros.reset();
		this.wakeUpsWithoutComplete.set(0);
		this.completeCalledAt.clear();
		this.recording = true;
	}

}

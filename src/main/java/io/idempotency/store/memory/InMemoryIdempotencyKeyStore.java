package io.idempotency.store.memory;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import io.idempotency.core.IdempotencyKeyStore;
import io.idempotency.core.OwnerTokens;
import io.idempotency.core.Reservation;
import io.idempotency.core.StoredResponse;

import org.springframework.util.Assert;

/**
 * {@link IdempotencyKeyStore} that keeps records in a bounded map of this process.
 *
 * <p>Suited to a single application instance and to tests: records are lost on restart and are not seen by other
 * instances, so a retry that reaches another instance runs the handler again. Use the Redis store for a fleet.
 *
 * <p>Completed records are bounded by count and by their total size in bytes. When a bound is exceeded, the oldest
 * completed records are evicted first, before their time to live ends. In-flight records are never evicted: they are
 * bounded by the number of requests in progress and end when their lease lapses. Expired records are removed when
 * they are next read and during eviction. Every operation is an atomic update of a {@link ConcurrentHashMap} entry
 * and never blocks.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
public final class InMemoryIdempotencyKeyStore implements IdempotencyKeyStore {

	/** How many queued reservations one reserve call looks at for lapsed ones. */
	private static final int SWEEP_BATCH_SIZE = 8;

	private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

	/** Completed records in the order they were stored, the eviction order. */
	private final ConcurrentLinkedQueue<CompletedEntry> completedOrder = new ConcurrentLinkedQueue<>();

	/** In-flight records in the order they were reserved, so that lapsed ones are removed even if never read. */
	private final ConcurrentLinkedQueue<InFlightEntry> inFlightOrder = new ConcurrentLinkedQueue<>();

	private final AtomicLong completedCount = new AtomicLong();

	private final AtomicLong completedBytes = new AtomicLong();

	private final Clock clock;

	private final long maxEntries;

	private final long maxBytes;


	/**
	 * Creates a store.
	 * @param maxEntries the maximum number of completed records
	 * @param maxBytes the maximum total size of completed records, in bytes
	 * @param clock the clock that decides when leases and records expire
	 */
	public InMemoryIdempotencyKeyStore(long maxEntries, long maxBytes, Clock clock) {
		Assert.isTrue(maxEntries > 0, "'maxEntries' must be positive");
		Assert.isTrue(maxBytes > 0, "'maxBytes' must be positive");
		Assert.notNull(clock, "'clock' must not be null");
		this.maxEntries = maxEntries;
		this.maxBytes = maxBytes;
		this.clock = clock;
	}


	@Override
	public Mono<Reservation> reserve(String storageId, String fingerprint, Duration lease) {
		return Mono.fromSupplier(() -> {
			long now = this.clock.millis();
			sweepLapsedReservations(now);
			// The new entry and its token are made only when the key is free, so replays and duplicates skip them.
			InFlightEntry[] created = new InFlightEntry[1];
			Entry[] replaced = new Entry[1];
			Entry current = this.entries.compute(storageId, (id, existing) -> {
				if (existing != null && !existing.isExpired(now)) {
					return existing;
				}
				replaced[0] = existing;
				created[0] = new InFlightEntry(storageId, fingerprint, OwnerTokens.generate(), now + lease.toMillis());
				return created[0];
			});
			if (replaced[0] != null) {
				onRemoved(replaced[0]);
			}
			InFlightEntry candidate = created[0];
			if (candidate != null && current == candidate) {
				this.inFlightOrder.add(candidate);
				return new Reservation.Reserved(candidate.ownerToken);
			}
			return current.toReservation();
		});
	}

	@Override
	public Mono<Boolean> complete(String storageId, String ownerToken, String fingerprint, StoredResponse response,
			Duration timeToLive) {
		return Mono.fromSupplier(() -> {
			long now = this.clock.millis();
			CompletedEntry completed = new CompletedEntry(storageId, fingerprint, response, now + timeToLive.toMillis());
			InFlightEntry[] owned = new InFlightEntry[1];
			this.entries.computeIfPresent(storageId, (id, existing) -> {
				if (existing instanceof InFlightEntry inFlight && inFlight.ownerToken.equals(ownerToken)) {
					owned[0] = inFlight;
					return completed;
				}
				return existing;
			});
			if (owned[0] == null) {
				return false;
			}
			this.completedOrder.add(completed);
			this.completedCount.incrementAndGet();
			this.completedBytes.addAndGet(completed.size);
			owned[0].completion.tryEmitValue(completed.toReservation());
			evict(now);
			return true;
		});
	}

	@Override
	public Mono<Boolean> renew(String storageId, String ownerToken, Duration lease) {
		return Mono.fromSupplier(() -> {
			long leaseEnd = this.clock.millis() + lease.toMillis();
			boolean[] renewed = new boolean[1];
			this.entries.computeIfPresent(storageId, (id, existing) -> {
				if (existing instanceof InFlightEntry inFlight && inFlight.ownerToken.equals(ownerToken)
						&& !inFlight.isExpired(leaseEnd - lease.toMillis())) {
					renewed[0] = true;
					inFlight.leaseEnd = leaseEnd;
				}
				return existing;
			});
			return renewed[0];
		});
	}

	@Override
	public Mono<Boolean> release(String storageId, String ownerToken) {
		return Mono.fromSupplier(() -> {
			InFlightEntry[] owned = new InFlightEntry[1];
			this.entries.computeIfPresent(storageId, (id, existing) -> {
				if (existing instanceof InFlightEntry inFlight && inFlight.ownerToken.equals(ownerToken)) {
					owned[0] = inFlight;
					return null;
				}
				return existing;
			});
			if (owned[0] == null) {
				return false;
			}
			owned[0].completion.tryEmitEmpty();
			return true;
		});
	}

	@Override
	public Mono<Reservation.Completed> awaitCompletion(String storageId) {
		return Mono.defer(() -> {
			long now = this.clock.millis();
			Entry entry = this.entries.get(storageId);
			if (entry == null || entry.isExpired(now)) {
				return Mono.empty();
			}
			if (entry instanceof CompletedEntry completed) {
				return Mono.just(completed.toReservation());
			}
			InFlightEntry inFlight = (InFlightEntry) entry;
			// The owner may die without completing or releasing: look again when its lease would lapse.
			Duration untilLeaseEnd = Duration.ofMillis(Math.max(1, inFlight.leaseEnd - now));
			return Mono.firstWithSignal(inFlight.completion.asMono(),
					Mono.delay(untilLeaseEnd).then(awaitCompletion(storageId)));
		});
	}

	/**
	 * Returns the number of records, in flight and completed, that this store holds, expired ones included until
	 * they are removed.
	 * @return the number of records
	 */
	public int size() {
		return this.entries.size();
	}

	private void evict(long now) {
		CompletedEntry oldest;
		while ((oldest = this.completedOrder.peek()) != null && (oldest.isExpired(now)
				|| this.completedCount.get() > this.maxEntries || this.completedBytes.get() > this.maxBytes)) {
			if (this.completedOrder.remove(oldest) && this.entries.remove(oldest.storageId, oldest)) {
				onRemoved(oldest);
			}
		}
	}

	/**
	 * Removes lapsed reservations from the front of the reservation queue. A live reservation there, for example a
	 * long handler whose lease is renewed, is moved to the back, so it cannot keep lapsed ones behind it forever.
	 * Each call looks at a bounded number of entries, which keeps a reserve call short.
	 */
	private void sweepLapsedReservations(long now) {
		for (int i = 0; i < SWEEP_BATCH_SIZE; i++) {
			InFlightEntry oldest = this.inFlightOrder.poll();
			if (oldest == null) {
				return;
			}
			boolean current = this.entries.get(oldest.storageId) == oldest;
			if (current && !oldest.isExpired(now)) {
				this.inFlightOrder.add(oldest);
			}
			else if (current && this.entries.remove(oldest.storageId, oldest)) {
				onRemoved(oldest);
			}
		}
	}

	private void onRemoved(Entry removed) {
		if (removed instanceof CompletedEntry completed) {
			this.completedCount.decrementAndGet();
			this.completedBytes.addAndGet(-completed.size);
		}
		else if (removed instanceof InFlightEntry inFlight) {
			inFlight.completion.tryEmitEmpty();
		}
	}


	private sealed interface Entry permits InFlightEntry, CompletedEntry {

		boolean isExpired(long now);

		Reservation toReservation();

	}


	private static final class InFlightEntry implements Entry {

		private final String storageId;

		private final String fingerprint;

		private final String ownerToken;

		/** End of the lease in clock milliseconds, changed only inside a map update of this entry. */
		private volatile long leaseEnd;

		/** Signals waiting duplicates: a value when completed, empty when released or replaced. */
		private final Sinks.One<Reservation.Completed> completion = Sinks.one();

		InFlightEntry(String storageId, String fingerprint, String ownerToken, long leaseEnd) {
			this.storageId = storageId;
			this.fingerprint = fingerprint;
			this.ownerToken = ownerToken;
			this.leaseEnd = leaseEnd;
		}

		@Override
		public boolean isExpired(long now) {
			return now >= this.leaseEnd;
		}

		@Override
		public Reservation toReservation() {
			return new Reservation.InFlight(this.fingerprint);
		}

	}


	private static final class CompletedEntry implements Entry {

		private final String storageId;

		private final Reservation.Completed record;

		private final long expiresAt;

		private final long size;

		CompletedEntry(String storageId, String fingerprint, StoredResponse response, long expiresAt) {
			this.storageId = storageId;
			this.record = new Reservation.Completed(fingerprint, response);
			this.expiresAt = expiresAt;
			this.size = response.size() + fingerprint.length() + storageId.length();
		}

		@Override
		public boolean isExpired(long now) {
			return now >= this.expiresAt;
		}

		@Override
		public Reservation.Completed toReservation() {
			return this.record;
		}

	}

}

package io.idempotency.web;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import io.idempotency.core.IdempotencyKeyStore;

/**
 * Renews the leases of all reservations whose handlers are still running, from one shared periodic task.
 *
 * <p>A timer per request would be cancelled on the event loop when the handler completes, and cancelling a periodic
 * task takes a lock of the scheduler's queue. Registering and removing a reservation here is a map update instead.
 * A lease is renewed once a third of it has passed since the reservation or the previous renewal.
 */
final class LeaseRenewer implements Disposable {

	/** How often running reservations are checked; a third of {@link IdempotencyPolicy#MIN_LEASE} at most. */
	static final Duration CHECK_INTERVAL = Duration.ofMillis(250);

	private static final Log logger = LogFactory.getLog(LeaseRenewer.class);

	private final IdempotencyKeyStore store;

	private final ConcurrentHashMap<Lease, Lease> running = new ConcurrentHashMap<>();

	private final Disposable task;


	LeaseRenewer(IdempotencyKeyStore store, Scheduler scheduler) {
		this.store = store;
		this.task = Flux.interval(CHECK_INTERVAL, scheduler)
			.onBackpressureDrop()
			.concatMap((tick) -> renewDue(), 1)
			.subscribe(null, (ex) -> logger.error("Lease renewal stopped after an unexpected error; leases of running "
					+ "requests now lapse, so their keys may be taken by retries", ex));
	}

	LeaseRenewer(IdempotencyKeyStore store) {
		this(store, Schedulers.parallel());
	}


	/**
	 * Starts renewing a reservation until the returned handle is disposed.
	 * @param logPrefix the exchange's log prefix
	 * @param storageId the key's storage id
	 * @param ownerToken the reservation's owner token
	 * @param lease the lease to renew with
	 * @return a handle that stops the renewal
	 */
	Disposable register(String logPrefix, String storageId, String ownerToken, Duration lease) {
		Lease entry = new Lease(logPrefix, storageId, ownerToken, lease.toNanos(), System.nanoTime());
		this.running.put(entry, entry);
		return () -> this.running.remove(entry);
	}

	int size() {
		return this.running.size();
	}

	@Override
	public void dispose() {
		this.task.dispose();
	}

	@Override
	public boolean isDisposed() {
		return this.task.isDisposed();
	}

	private Mono<Void> renewDue() {
		long now = System.nanoTime();
		return Flux.fromIterable(this.running.keySet())
			.filter((lease) -> now - lease.renewedAt >= lease.leaseNanos / 3)
			.flatMap((lease) -> renew(lease, now))
			.then();
	}

	private Mono<Void> renew(Lease lease, long now) {
		// A renewal that takes a third of the lease is too late to help; it must not hold up the next check either.
		Duration timeout = Duration.ofNanos(lease.leaseNanos / 3);
		return Mono.defer(() -> this.store.renew(lease.storageId, lease.ownerToken, Duration.ofNanos(lease.leaseNanos)))
			.timeout(timeout)
			.doOnNext((renewed) -> {
				if (renewed) {
					lease.renewedAt = now;
				}
				else if (this.running.remove(lease) != null) {
					logger.warn(lease.logPrefix + "Lost the reservation of key " + lease.storageId
							+ " while its handler was running; its lease had lapsed, so another request may run it");
				}
			})
			.onErrorResume((ex) -> {
				logger.warn(lease.logPrefix + "Failed to renew the lease of key " + lease.storageId
						+ "; trying again at the next check: " + ex);
				return Mono.empty();
			})
			.then();
	}


	/**
	 * A running reservation; identity-based equality, because one key may be reserved again after a lapse.
	 */
	private static final class Lease {

		private final String logPrefix;

		private final String storageId;

		private final String ownerToken;

		private final long leaseNanos;

		private volatile long renewedAt;

		Lease(String logPrefix, String storageId, String ownerToken, long leaseNanos, long renewedAt) {
			this.logPrefix = logPrefix;
			this.storageId = storageId;
			this.ownerToken = ownerToken;
			this.leaseNanos = leaseNanos;
			this.renewedAt = renewedAt;
		}

	}

}

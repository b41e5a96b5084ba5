package io.idempotency.core;

import java.time.Duration;

import reactor.core.publisher.Mono;

/**
 * Reactive store of idempotency records, the SPI behind every store implementation.
 *
 * <p>A record is either in flight, reserved by one request for the duration of a lease, or completed, holding the
 * stored response until its time to live ends. Each method is one atomic operation of the store: implementations
 * never read and then write in two steps, and the methods that change an in-flight record take the owner token that
 * {@link #reserve} returned, so a request whose lease has lapsed cannot overwrite or delete the record of the request
 * that reserved the key after it.
 *
 * <p>No method may block the calling thread. Failures of the store are signalled as errors of the returned
 * {@link Mono}.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
public interface IdempotencyKeyStore {

	/**
	 * Reserves the key for the caller, or fetches what is stored for it, in one atomic operation.
	 * @param storageId the key's {@linkplain IdempotencyKey#storageId() storage id}
	 * @param fingerprint the fingerprint of the calling request
	 * @param lease how long the reservation lasts unless it is renewed or completed
	 * @return {@link Reservation.Reserved} with a new owner token, or what another request left
	 */
	Mono<Reservation> reserve(String storageId, String fingerprint, Duration lease);

	/**
	 * Stores the response of a reserved key, replacing the reservation, if the owner token still matches.
	 * @param storageId the key's storage id
	 * @param ownerToken the token returned by {@link #reserve}
	 * @param fingerprint the fingerprint of the request that produced the response
	 * @param response the response to store
	 * @param timeToLive how long the response is kept
	 * @return {@code true} if stored, {@code false} if the reservation was no longer owned by the caller
	 */
	Mono<Boolean> complete(String storageId, String ownerToken, String fingerprint, StoredResponse response,
			Duration timeToLive);

	/**
	 * Extends a reservation that is still owned by the caller.
	 * @param storageId the key's storage id
	 * @param ownerToken the token returned by {@link #reserve}
	 * @param lease the new lease, counted from now
	 * @return {@code true} if renewed, {@code false} if the reservation was no longer owned by the caller
	 */
	Mono<Boolean> renew(String storageId, String ownerToken, Duration lease);

	/**
	 * Deletes a reservation that is still owned by the caller, so that a retry can run the handler again.
	 * @param storageId the key's storage id
	 * @param ownerToken the token returned by {@link #reserve}
	 * @return {@code true} if released, {@code false} if the reservation was no longer owned by the caller
	 */
	Mono<Boolean> release(String storageId, String ownerToken);

	/**
	 * Waits until an in-flight record is completed or removed, without blocking a thread.
	 * <p>Concurrent waits for the same key in one process share one underlying wait. The returned {@code Mono} does
	 * not time out by itself: callers apply their own maximum wait, and cancelling one caller's wait does not cancel
	 * the others.
	 * @param storageId the key's storage id
	 * @return the completed record, or an empty {@code Mono} when the record was released or its lease lapsed, so
	 * the key is free to reserve again
	 */
	Mono<Reservation.Completed> awaitCompletion(String storageId);

}

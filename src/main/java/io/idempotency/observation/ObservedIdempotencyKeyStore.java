package io.idempotency.observation;

import java.time.Duration;
import java.util.function.Supplier;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.util.context.ContextView;

import io.idempotency.core.IdempotencyKeyStore;
import io.idempotency.core.Reservation;
import io.idempotency.core.StoredResponse;

/**
 * Key store decorator that records an observation around each call of the delegate.
 */
final class ObservedIdempotencyKeyStore implements IdempotencyKeyStore {

	private final IdempotencyKeyStore delegate;

	private final ObservationRegistry registry;

	private final String storeType;


	ObservedIdempotencyKeyStore(IdempotencyKeyStore delegate, ObservationRegistry registry, String storeType) {
		this.delegate = delegate;
		this.registry = registry;
		this.storeType = storeType;
	}


	@Override
	public Mono<Reservation> reserve(String storageId, String fingerprint, Duration lease) {
		return observeCall("reserve", () -> this.delegate.reserve(storageId, fingerprint, lease));
	}

	@Override
	public Mono<Boolean> complete(String storageId, String ownerToken, String fingerprint, StoredResponse response,
			Duration timeToLive) {
		return observeCall("complete",
				() -> this.delegate.complete(storageId, ownerToken, fingerprint, response, timeToLive));
	}

	@Override
	public Mono<Boolean> renew(String storageId, String ownerToken, Duration lease) {
		return observeCall("renew", () -> this.delegate.renew(storageId, ownerToken, lease));
	}

	@Override
	public Mono<Boolean> release(String storageId, String ownerToken) {
		return observeCall("release", () -> this.delegate.release(storageId, ownerToken));
	}

	@Override
	public Mono<Reservation.Completed> awaitCompletion(String storageId) {
		return Mono.deferContextual((context) -> {
			Observation observation = start(Observation
				.createNotStarted(ObservationIdempotencyObserver.HOLD, this.registry)
				.lowCardinalityKeyValue("store", this.storeType), context);
			boolean[] completed = new boolean[1];
			return this.delegate.awaitCompletion(storageId)
				.doOnNext((record) -> completed[0] = true)
				.doOnError(observation::error)
				.doFinally((signal) -> {
					observation.lowCardinalityKeyValue("result", holdResult(signal, completed[0]));
					observation.stop();
				});
		});
	}

	private static String holdResult(SignalType signal, boolean completed) {
		if (completed) {
			return "completed";
		}
		return switch (signal) {
			case CANCEL -> "cancelled";
			case ON_ERROR -> "error";
			default -> "released";
		};
	}

	private <T> Mono<T> observeCall(String operation, Supplier<Mono<T>> call) {
		return Mono.deferContextual((context) -> {
			Observation observation = start(Observation
				.createNotStarted(ObservationIdempotencyObserver.STORE, this.registry)
				.lowCardinalityKeyValue("operation", operation)
				.lowCardinalityKeyValue("store", this.storeType), context);
			return call.get().doOnError(observation::error).doFinally((signal) -> observation.stop());
		});
	}

	/**
	 * Starts an observation as a child of the request's observation, when there is one.
	 */
	private static Observation start(Observation observation, ContextView context) {
		Observation parent = context.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
		if (parent != null) {
			observation.parentObservation(parent);
		}
		return observation.start();
	}

}

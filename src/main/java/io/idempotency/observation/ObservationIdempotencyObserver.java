package io.idempotency.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import reactor.core.publisher.Mono;

import io.idempotency.core.IdempotencyKeyStore;
import io.idempotency.store.memory.InMemoryIdempotencyKeyStore;
import io.idempotency.web.IdempotencyObserver;
import io.idempotency.web.IdempotencyOutcome;

import org.springframework.util.Assert;
import org.springframework.web.server.ServerWebExchange;

/**
 * {@link IdempotencyObserver} that records Micrometer observations, which a meter registry turns into timers:
 * <ul>
 * <li>{@value #REQUESTS}: one per request that takes part, tagged {@code outcome} (the
 * {@linkplain IdempotencyOutcome#getValue() outcome value}, or {@code unknown} when the request was cancelled first)
 * and {@code method};
 * <li>{@value #STORE}: one per store call, tagged {@code operation} ({@code reserve}, {@code complete},
 * {@code renew}, {@code release}) and {@code store};
 * <li>{@value #HOLD}: one per wait of a duplicate for the request that owns its key, tagged {@code result}
 * ({@code completed}, {@code released}, {@code cancelled} when the maximum wait ended it, or {@code error}) and
 * {@code store}.
 * </ul>
 * Tags never contain keys, paths or other values chosen by clients, so their number stays bounded. The exception
 * tag that the meter handler adds names the exception class of a failed request or store call.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
public final class ObservationIdempotencyObserver implements IdempotencyObserver {

	/** Name of the observation of a request. */
	public static final String REQUESTS = "idempotency.requests";

	/** Name of the observation of a store call. */
	public static final String STORE = "idempotency.store";

	/** Name of the observation of a duplicate's wait for the owner of its key. */
	public static final String HOLD = "idempotency.hold";

	private final ObservationRegistry registry;


	/**
	 * Creates an observer.
	 * @param registry the registry that observations are recorded in
	 */
	public ObservationIdempotencyObserver(ObservationRegistry registry) {
		Assert.notNull(registry, "'registry' must not be null");
		this.registry = registry;
	}


	@Override
	public Mono<Void> observe(ServerWebExchange exchange, Mono<Void> handling) {
		return Mono.deferContextual((context) -> {
			String method = exchange.getRequest().getMethod().name();
			Observation observation = Observation.createNotStarted(REQUESTS, this.registry)
				.contextualName("idempotency " + method)
				.lowCardinalityKeyValue("method", method);
			Observation parent = context.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
			if (parent != null) {
				observation.parentObservation(parent);
			}
			observation.start();
			return handling.doOnError(observation::error)
				.doFinally((signal) -> {
					IdempotencyOutcome outcome = IdempotencyOutcome.of(exchange);
					observation.lowCardinalityKeyValue("outcome", (outcome != null) ? outcome.getValue() : "unknown");
					observation.stop();
				})
				.contextWrite((inner) -> inner.put(ObservationThreadLocalAccessor.KEY, observation));
		});
	}

	@Override
	public IdempotencyKeyStore observeStore(IdempotencyKeyStore store) {
		return new ObservedIdempotencyKeyStore(store, this.registry, storeType(store));
	}

	/**
	 * Returns the {@code store} tag: {@code memory}, {@code redis}, or the simple class name of another store.
	 */
	static String storeType(IdempotencyKeyStore store) {
		if (store instanceof InMemoryIdempotencyKeyStore) {
			return "memory";
		}
		String name = store.getClass().getSimpleName();
		String suffix = IdempotencyKeyStore.class.getSimpleName();
		if (name.endsWith(suffix) && name.length() > suffix.length()) {
			return name.substring(0, name.length() - suffix.length()).toLowerCase(java.util.Locale.ROOT);
		}
		return name;
	}

}

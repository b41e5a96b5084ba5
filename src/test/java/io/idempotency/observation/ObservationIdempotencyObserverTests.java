package io.idempotency.observation;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.search.MeterNotFoundException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import io.idempotency.core.IdempotencyKeyStore;
import io.idempotency.core.Reservation;
import io.idempotency.core.StoredResponse;
import io.idempotency.store.memory.InMemoryIdempotencyKeyStore;
import io.idempotency.web.IdempotencyPolicy;
import io.idempotency.web.IdempotencyScopeResolver;
import io.idempotency.web.IdempotencyWebFilter;
import io.idempotency.web.IdempotentExchangeHandler;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sends requests to a real loopback server whose handler reports to an observation registry backed by a
 * {@link SimpleMeterRegistry}, and reads the timers that a user would look at.
 */
class ObservationIdempotencyObserverTests {

	private final MeterRegistry meters = new SimpleMeterRegistry();

	private final ObservationRegistry observations = ObservationRegistry.create();

	private final AtomicInteger executions = new AtomicInteger();

	/** Releases the requests whose handler waits, those sent with a delay of {@link #HOLD}. */
	private final Sinks.Empty<Void> gate = Sinks.empty();

	private final CountDownLatch heldRequestStarted = new CountDownLatch(1);

	private static final long HOLD = -1;

	private DisposableServer server;

	private WebClient client;


	@BeforeEach
	void recordObservationsAsMeters() {
		this.observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(this.meters));
	}

	@AfterEach
	void stopServer() {
		this.gate.tryEmitEmpty();
		this.server.disposeNow();
	}


	@Test
	void executedAndReplayedRequestsAreCounted() {
		startServer(memoryStore(), IdempotencyPolicy.builder().build());
		String key = UUID.randomUUID().toString();

		post(key, 0, "one book");
		post(key, 0, "one book");
		post(key, 0, "two books");

		assertThat(requestCount("executed")).isEqualTo(1);
		// The client can read the first response before its store call ends, so the retry may be held briefly.
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(currentRequestCount("replayed") + currentRequestCount("held-then-replayed"))
				.isEqualTo(1));
		assertThat(requestCount("mismatch")).isEqualTo(1);
		assertThat(this.meters.get(ObservationIdempotencyObserver.REQUESTS)
			.tags("outcome", "executed", "method", "POST")
			.timer()
			.count()).isEqualTo(1);
		assertThat(this.meters.get(ObservationIdempotencyObserver.STORE)
			.tags("operation", "reserve", "store", "memory")
			.timer()
			.count()).isEqualTo(3);
		assertThat(this.meters.get(ObservationIdempotencyObserver.STORE)
			.tags("operation", "complete", "store", "memory")
			.timer()
			.count()).isEqualTo(1);
	}

	@Test
	void heldDuplicateRecordsHoldTime() {
		startServer(memoryStore(), IdempotencyPolicy.builder().build());
		String key = UUID.randomUUID().toString();

		Mono<ResponseEntity<String>> owner = send(key, HOLD, "one book").cache();
		owner.subscribe();
		awaitHeldRequestStarted();
		Mono<ResponseEntity<String>> duplicate = send(key, 0, "one book").cache();
		duplicate.subscribe();
		await().atMost(Duration.ofSeconds(5))
			.until(() -> this.meters.find(ObservationIdempotencyObserver.HOLD + ".active").longTaskTimer(),
					(waiting) -> waiting != null && waiting.activeTasks() == 1);
		this.gate.tryEmitEmpty();
		owner.block(Duration.ofSeconds(10));
		duplicate.block(Duration.ofSeconds(10));

		assertThat(requestCount("executed")).isEqualTo(1);
		assertThat(requestCount("held-then-replayed")).isEqualTo(1);
		assertThat(this.meters.get(ObservationIdempotencyObserver.HOLD)
			.tags("result", "completed", "store", "memory")
			.timer()
			.count()).isEqualTo(1);
		assertThat(this.meters.get(ObservationIdempotencyObserver.HOLD).timer().totalTime(TimeUnit.MILLISECONDS))
			.isPositive();
	}

	@Test
	void duplicateOverMaximumWaitIsCountedAsConflict() {
		startServer(memoryStore(), IdempotencyPolicy.builder().maxWait(Duration.ofMillis(100)).build());
		String key = UUID.randomUUID().toString();

		Mono<ResponseEntity<String>> owner = send(key, HOLD, "one book").cache();
		owner.subscribe();
		awaitHeldRequestStarted();
		ResponseEntity<String> duplicate = post(key, 0, "one book");
		this.gate.tryEmitEmpty();
		owner.block(Duration.ofSeconds(10));

		assertThat(duplicate.getStatusCode().value()).isEqualTo(409);
		assertThat(requestCount("conflict")).isEqualTo(1);
		assertThat(this.meters.get(ObservationIdempotencyObserver.HOLD)
			.tags("result", "cancelled")
			.timer()
			.count()).isEqualTo(1);
	}

	@Test
	void requestWithoutRequiredKeyIsCountedAsRejected() {
		startServer(memoryStore(), IdempotencyPolicy.builder().keyRequired(true).build());

		post(null, 0, "one book");

		assertThat(requestCount("rejected")).isEqualTo(1);
		assertThat(this.executions).hasValue(0);
	}

	@Test
	void requestWithoutKeyIsNotObserved() {
		startServer(memoryStore(), IdempotencyPolicy.builder().build());

		post(null, 0, "one book");
		post(UUID.randomUUID().toString(), 0, "one book");

		assertThat(this.executions).hasValue(2);
		assertThat(requestCount("executed")).isEqualTo(1);
		assertThat(this.meters.get(ObservationIdempotencyObserver.REQUESTS).timers())
			.as("only the request with a key is observed")
			.singleElement()
			.satisfies((timer) -> assertThat(timer.count()).isEqualTo(1));
	}

	@Test
	void storeFailureIsCountedAsStoreError() {
		startServer(new FailingIdempotencyKeyStore(), IdempotencyPolicy.builder().build());

		ResponseEntity<String> response = post(UUID.randomUUID().toString(), 0, "one book");

		assertThat(response.getStatusCode().value()).isEqualTo(503);
		assertThat(requestCount("store-error")).isEqualTo(1);
		assertThat(this.meters.get(ObservationIdempotencyObserver.STORE)
			.tags("operation", "reserve", "store", "failing", "error", "IllegalStateException")
			.timer()
			.count()).isEqualTo(1);
	}

	@Test
	void failOpenRequestIsCounted() {
		startServer(new FailingIdempotencyKeyStore(),
				IdempotencyPolicy.builder().storeFailureMode(IdempotencyPolicy.StoreFailureMode.FAIL_OPEN).build());

		ResponseEntity<String> response = post(UUID.randomUUID().toString(), 0, "one book");

		assertThat(response.getStatusCode().value()).isEqualTo(201);
		assertThat(requestCount("fail-open")).isEqualTo(1);
		assertThat(this.executions).hasValue(1);
	}

	/**
	 * Returns the count of requests with an outcome. The server records an observation when the exchange ends, which
	 * can be just after the client has read the response, so the count is awaited.
	 */
	private void awaitHeldRequestStarted() {
		try {
			assertThat(this.heldRequestStarted.await(10, TimeUnit.SECONDS)).as("held request reached the handler")
				.isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private long currentRequestCount(String outcome) {
		Timer timer = this.meters.find(ObservationIdempotencyObserver.REQUESTS).tag("outcome", outcome).timer();
		return (timer != null) ? timer.count() : 0;
	}

	private long requestCount(String outcome) {
		return await().atMost(Duration.ofSeconds(5))
			.ignoreExceptionsInstanceOf(MeterNotFoundException.class)
			.until(() -> this.meters.get(ObservationIdempotencyObserver.REQUESTS)
				.tag("outcome", outcome)
				.timer()
				.count(), (count) -> count > 0);
	}

	private static IdempotencyKeyStore memoryStore() {
		return new InMemoryIdempotencyKeyStore(1000, 1024 * 1024, Clock.systemUTC());
	}

	private void startServer(IdempotencyKeyStore store, IdempotencyPolicy policy) {
		IdempotentExchangeHandler handler = new IdempotentExchangeHandler(store, IdempotencyScopeResolver.shared(),
				new ObservationIdempotencyObserver(this.observations));
		IdempotencyWebFilter filter = IdempotencyWebFilter.builder(handler).policy(policy).build();
		RouterFunction<ServerResponse> routes = RouterFunctions.route().POST("/orders", this::createOrder).build();
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle(new ReactorHttpHandlerAdapter(
					WebHttpHandlerBuilder.webHandler(RouterFunctions.toWebHandler(routes)).filter(filter).build()))
			.bindNow();
		this.client = WebClient.create("http://127.0.0.1:" + this.server.port());
	}

	private Mono<ServerResponse> createOrder(ServerRequest request) {
		long delay = Long.parseLong(request.headers().firstHeader("X-Delay-Ms"));
		Mono<?> wait = Mono.delay(Duration.ofMillis(Math.max(0, delay)));
		if (delay == HOLD) {
			this.heldRequestStarted.countDown();
			wait = this.gate.asMono();
		}
		return wait.then(Mono.fromSupplier(this.executions::incrementAndGet))
			.flatMap((execution) -> ServerResponse.status(HttpStatus.CREATED)
				.contentType(MediaType.TEXT_PLAIN)
				.bodyValue("order " + execution));
	}

	private ResponseEntity<String> post(String key, long delayMillis, String body) {
		return send(key, delayMillis, body).block(Duration.ofSeconds(10));
	}

	private Mono<ResponseEntity<String>> send(String key, long delayMillis, String body) {
		return this.client.post()
			.uri("/orders")
			.headers((headers) -> {
				if (key != null) {
					headers.set("Idempotency-Key", key);
				}
				headers.set("X-Delay-Ms", Long.toString(delayMillis));
			})
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue(body)
			.exchangeToMono((response) -> response.toEntity(String.class));
	}


	/**
	 * A store whose every call fails, as a store does when its server is unreachable.
	 */
	static final class FailingIdempotencyKeyStore implements IdempotencyKeyStore {

		@Override
		public Mono<Reservation> reserve(String storageId, String fingerprint, Duration lease) {
			return Mono.error(new IllegalStateException("store unreachable"));
		}

		@Override
		public Mono<Boolean> complete(String storageId, String ownerToken, String fingerprint, StoredResponse response,
				Duration timeToLive) {
			return Mono.error(new IllegalStateException("store unreachable"));
		}

		@Override
		public Mono<Boolean> renew(String storageId, String ownerToken, Duration lease) {
			return Mono.error(new IllegalStateException("store unreachable"));
		}

		@Override
		public Mono<Boolean> release(String storageId, String ownerToken) {
			return Mono.error(new IllegalStateException("store unreachable"));
		}

		@Override
		public Mono<Reservation.Completed> awaitCompletion(String storageId) {
			return Mono.error(new IllegalStateException("store unreachable"));
		}

	}

}

package io.idempotency.web;

import java.time.Clock;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import io.idempotency.core.IdempotencyKeyStore;
import io.idempotency.core.Reservation;
import io.idempotency.core.StoredResponse;
import io.idempotency.core.UnreadableRecordException;
import io.idempotency.store.memory.InMemoryIdempotencyKeyStore;
import io.idempotency.testsupport.IdempotencyTestServer;

import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Responses of the filter when the store fails, over real HTTP, with a store that fails on purpose.
 */
class StoreFailureTests {

	private IdempotencyTestServer server;


	@AfterEach
	void stopServer() {
		this.server.close();
	}

	private WebTestClient start(IdempotencyKeyStore store, IdempotencyPolicy.StoreFailureMode mode) {
		this.server = new IdempotencyTestServer(store, IdempotencyPolicy.builder().storeFailureMode(mode).build());
		return WebTestClient.bindToServer().baseUrl(this.server.baseUrl()).responseTimeout(Duration.ofSeconds(10))
			.build();
	}

	private static void post(WebTestClient client, int expectedStatus) {
		client.post().uri("/orders")
			.header("Idempotency-Key", "key-1")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{}")
			.exchange()
			.expectStatus().isEqualTo(expectedStatus);
	}

	@Test
	void failClosedAnswers503WithoutRunningHandler() {
		WebTestClient client = start(new FailingStore(new IllegalStateException("store down")),
				IdempotencyPolicy.StoreFailureMode.FAIL_CLOSED);

		client.post().uri("/orders")
			.header("Idempotency-Key", "key-1")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{}")
			.exchange()
			.expectStatus().isEqualTo(503)
			.expectHeader().valueEquals("Retry-After", "1")
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.type").isEqualTo("urn:idempotency:problem:store-unavailable");

		assertThat(this.server.executions("/orders")).isZero();
	}

	@Test
	void failOpenRunsHandler() {
		WebTestClient client = start(new FailingStore(new IllegalStateException("store down")),
				IdempotencyPolicy.StoreFailureMode.FAIL_OPEN);

		post(client, 201);
		post(client, 201);

		assertThat(this.server.executions("/orders")).isEqualTo(2);
	}

	@Test
	void unreadableRecordNeverRunsHandler() {
		WebTestClient client = start(new FailingStore(new UnreadableRecordException("corrupt", new RuntimeException())),
				IdempotencyPolicy.StoreFailureMode.FAIL_OPEN);

		post(client, 503);

		assertThat(this.server.executions("/orders")).isZero();
	}


	/**
	 * An in-memory store whose reserve fails with a given error.
	 */
	private static final class FailingStore implements IdempotencyKeyStore {

		private final IdempotencyKeyStore delegate = new InMemoryIdempotencyKeyStore(10, 1024, Clock.systemUTC());

		private final RuntimeException error;

		FailingStore(RuntimeException error) {
			this.error = error;
		}

		@Override
		public Mono<Reservation> reserve(String storageId, String fingerprint, Duration lease) {
			return Mono.error(this.error);
		}

		@Override
		public Mono<Boolean> complete(String storageId, String ownerToken, String fingerprint, StoredResponse response,
				Duration timeToLive) {
			return this.delegate.complete(storageId, ownerToken, fingerprint, response, timeToLive);
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
			return this.delegate.awaitCompletion(storageId);
		}

	}

}

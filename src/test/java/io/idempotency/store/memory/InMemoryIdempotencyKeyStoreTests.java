package io.idempotency.store.memory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import io.idempotency.core.Reservation;
import io.idempotency.core.StoredResponse;
import io.idempotency.testsupport.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link InMemoryIdempotencyKeyStore}.
 */
class InMemoryIdempotencyKeyStoreTests {

	private static final Duration LEASE = Duration.ofSeconds(30);

	private static final Duration TTL = Duration.ofHours(24);

	private final MutableClock clock = new MutableClock();

	private final InMemoryIdempotencyKeyStore store = new InMemoryIdempotencyKeyStore(100, 1024 * 1024, this.clock);


	private static StoredResponse response(String body) {
		return new StoredResponse(201, List.of(Map.entry("Content-Type", "text/plain")),
				body.getBytes(StandardCharsets.UTF_8));
	}

	private String reserve(String id) {
		Reservation reservation = this.store.reserve(id, "fp", LEASE).block();
		assertThat(reservation).isInstanceOf(Reservation.Reserved.class);
		return ((Reservation.Reserved) reservation).ownerToken();
	}

	@Test
	void reserveOfFreeKeyReturnsOwnerToken() {
		StepVerifier.create(this.store.reserve("a", "fp", LEASE))
			.assertNext((reservation) -> assertThat(((Reservation.Reserved) reservation).ownerToken()).hasSize(32))
			.verifyComplete();
	}

	@Test
	void reserveOfReservedKeyReturnsInFlightWithFingerprint() {
		reserve("a");

		StepVerifier.create(this.store.reserve("a", "other", LEASE))
			.expectNext(new Reservation.InFlight("fp"))
			.verifyComplete();
	}

	@Test
	void reserveOfCompletedKeyReturnsStoredResponse() {
		String token = reserve("a");
		this.store.complete("a", token, "fp", response("done"), TTL).block();

		StepVerifier.create(this.store.reserve("a", "fp", LEASE))
			.expectNext(new Reservation.Completed("fp", response("done")))
			.verifyComplete();
	}

	@Test
	void completeWithStaleTokenStoresNothing() {
		reserve("a");

		StepVerifier.create(this.store.complete("a", "stale", "fp", response("late"), TTL))
			.expectNext(false)
			.verifyComplete();
		assertThat(this.store.reserve("a", "fp", LEASE).block()).isEqualTo(new Reservation.InFlight("fp"));
	}

	@Test
	void releaseFreesKeyForNextRequest() {
		String token = reserve("a");

		StepVerifier.create(this.store.release("a", token)).expectNext(true).verifyComplete();

		assertThat(this.store.reserve("a", "fp", LEASE).block()).isInstanceOf(Reservation.Reserved.class);
	}

	@Test
	void releaseWithStaleTokenKeepsReservation() {
		reserve("a");

		StepVerifier.create(this.store.release("a", "stale")).expectNext(false).verifyComplete();

		assertThat(this.store.reserve("a", "fp", LEASE).block()).isInstanceOf(Reservation.InFlight.class);
	}

	@Test
	void lapsedLeaseFreesKeyAndFencesOldOwner() {
		String oldToken = reserve("a");
		this.clock.advance(LEASE);

		String newToken = reserve("a");

		assertThat(newToken).isNotEqualTo(oldToken);
		StepVerifier.create(this.store.complete("a", oldToken, "fp", response("old"), TTL))
			.expectNext(false)
			.verifyComplete();
		StepVerifier.create(this.store.release("a", oldToken)).expectNext(false).verifyComplete();
		StepVerifier.create(this.store.complete("a", newToken, "fp", response("new"), TTL))
			.expectNext(true)
			.verifyComplete();
	}

	@Test
	void renewExtendsLease() {
		String token = reserve("a");
		this.clock.advance(Duration.ofSeconds(20));

		StepVerifier.create(this.store.renew("a", token, LEASE)).expectNext(true).verifyComplete();
		this.clock.advance(Duration.ofSeconds(20));

		assertThat(this.store.reserve("a", "fp", LEASE).block()).isInstanceOf(Reservation.InFlight.class);
	}

	@Test
	void renewAfterLapseFails() {
		String token = reserve("a");
		this.clock.advance(LEASE);

		StepVerifier.create(this.store.renew("a", token, LEASE)).expectNext(false).verifyComplete();
	}

	@Test
	void completedRecordExpiresAfterTimeToLive() {
		String token = reserve("a");
		this.store.complete("a", token, "fp", response("done"), TTL).block();
		this.clock.advance(TTL.minusMillis(1));
		assertThat(this.store.reserve("a", "fp", LEASE).block()).isInstanceOf(Reservation.Completed.class);

		this.clock.advance(Duration.ofMillis(1));

		assertThat(this.store.reserve("a", "fp", LEASE).block()).isInstanceOf(Reservation.Reserved.class);
	}

	@Test
	void oldestRecordsAreEvictedOverMaximumEntries() {
		InMemoryIdempotencyKeyStore small = new InMemoryIdempotencyKeyStore(2, 1024 * 1024, this.clock);
		for (String id : List.of("a", "b", "c")) {
			Reservation.Reserved reserved = (Reservation.Reserved) small.reserve(id, "fp", LEASE).block();
			small.complete(id, reserved.ownerToken(), "fp", response(id), TTL).block();
		}

		assertThat(small.reserve("a", "fp", LEASE).block()).isInstanceOf(Reservation.Reserved.class);
		assertThat(small.reserve("b", "fp", LEASE).block()).isInstanceOf(Reservation.Completed.class);
		assertThat(small.reserve("c", "fp", LEASE).block()).isInstanceOf(Reservation.Completed.class);
	}

	@Test
	void oldestRecordsAreEvictedOverMaximumBytes() {
		InMemoryIdempotencyKeyStore small = new InMemoryIdempotencyKeyStore(100, 2500, this.clock);
		for (String id : List.of("a", "b", "c")) {
			Reservation.Reserved reserved = (Reservation.Reserved) small.reserve(id, "fp", LEASE).block();
			small.complete(id, reserved.ownerToken(), "fp", response("x".repeat(1000)), TTL).block();
		}

		assertThat(small.reserve("a", "fp", LEASE).block()).isInstanceOf(Reservation.Reserved.class);
		assertThat(small.reserve("c", "fp", LEASE).block()).isInstanceOf(Reservation.Completed.class);
	}

	@Test
	void lapsedReservationsAreRemovedWithoutBeingRead() {
		for (int i = 0; i < 10; i++) {
			reserve("abandoned-" + i);
		}
		this.clock.advance(LEASE);

		reserve("next");
		reserve("after-next");

		assertThat(this.store.size()).isEqualTo(2);
	}

	@Test
	void lapsedReservationsBehindLiveOneAreRemoved() {
		this.store.reserve("long-running", "fp", Duration.ofHours(1)).block();
		for (int i = 0; i < 100; i++) {
			reserve("abandoned-" + i);
		}
		this.clock.advance(LEASE);

		for (int i = 0; i < 20; i++) {
			reserve("next-" + i);
		}

		assertThat(this.store.size()).isEqualTo(21);
	}

	@Test
	void awaitCompletionEmitsStoredResponseWhenOwnerCompletes() {
		String token = reserve("a");

		StepVerifier.create(this.store.awaitCompletion("a"))
			.then(() -> this.store.complete("a", token, "fp", response("done"), TTL).block())
			.expectNext(new Reservation.Completed("fp", response("done")))
			.verifyComplete();
	}

	@Test
	void awaitCompletionCompletesEmptyWhenOwnerReleases() {
		String token = reserve("a");

		StepVerifier.create(this.store.awaitCompletion("a"))
			.then(() -> this.store.release("a", token).block())
			.verifyComplete();
	}

	@Test
	void awaitCompletionOfFreeKeyCompletesEmptyAtOnce() {
		StepVerifier.create(this.store.awaitCompletion("a")).verifyComplete();
	}

	@Test
	void waitersShareOneSignalAndCancellingOneKeepsOthers() {
		String token = reserve("a");
		Mono<Reservation.Completed> first = this.store.awaitCompletion("a");
		Mono<Reservation.Completed> second = this.store.awaitCompletion("a");

		StepVerifier.create(first).thenCancel().verify();
		StepVerifier.create(second)
			.then(() -> this.store.complete("a", token, "fp", response("done"), TTL).block())
			.expectNext(new Reservation.Completed("fp", response("done")))
			.verifyComplete();
	}

	@Test
	void awaitCompletionEndsWhenLeaseLapses() {
		InMemoryIdempotencyKeyStore store = new InMemoryIdempotencyKeyStore(100, 1024 * 1024, this.clock);
		store.reserve("a", "fp", LEASE).block();

		StepVerifier.withVirtualTime(() -> store.awaitCompletion("a"))
			.expectSubscription()
			.then(() -> this.clock.advance(LEASE))
			.thenAwait(LEASE)
			.verifyComplete();
	}

}

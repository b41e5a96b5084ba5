package io.idempotency.core;

import java.util.Objects;

/**
 * The outcome of a {@linkplain IdempotencyKeyStore#reserve reserve-or-fetch} call: the key was reserved for the
 * caller, another request has reserved it, or a response is stored for it.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
public sealed interface Reservation {

	/**
	 * The key was free and is now reserved for the caller, who runs the handler.
	 * @param ownerToken a token unique to this reservation, required to complete, renew or release it
	 */
	record Reserved(String ownerToken) implements Reservation {

		public Reserved {
			Objects.requireNonNull(ownerToken, "ownerToken");
		}

	}

	/**
	 * Another request has reserved the key and has not completed yet.
	 * @param fingerprint the fingerprint of the request that reserved the key
	 */
	record InFlight(String fingerprint) implements Reservation {

		public InFlight {
			Objects.requireNonNull(fingerprint, "fingerprint");
		}

	}

	/**
	 * A response is stored for the key.
	 * @param fingerprint the fingerprint of the request that produced the response
	 * @param response the stored response
	 */
	record Completed(String fingerprint, StoredResponse response) implements Reservation {

		public Completed {
			Objects.requireNonNull(fingerprint, "fingerprint");
			Objects.requireNonNull(response, "response");
		}

	}

}

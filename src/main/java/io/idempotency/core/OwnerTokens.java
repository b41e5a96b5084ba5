package io.idempotency.core;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Generator of owner tokens for {@link Reservation.Reserved reservations}.
 *
 * <p>A token only has to be unique among the reservations of one key, and it is never shown to clients, so 128 bits
 * from {@link ThreadLocalRandom} are enough. {@link java.util.UUID#randomUUID()} is avoided because its
 * {@code SecureRandom} may read {@code /dev/urandom}, a blocking call on an event loop.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
public final class OwnerTokens {

	private OwnerTokens() {
	}


	/**
	 * Generates a new token.
	 * @return 32 lower-case hex digits
	 */
	public static String generate() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		HexFormat hex = HexFormat.of();
		return hex.toHexDigits(random.nextLong()) + hex.toHexDigits(random.nextLong());
	}

}

package io.idempotency.core;

/**
 * Thrown when an {@code Idempotency-Key} header cannot be parsed into a key.
 *
 * <p>The message is written for the client: it states what is wrong with the header and how to send a valid one.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
public class InvalidIdempotencyKeyException extends RuntimeException {

	public InvalidIdempotencyKeyException(String message) {
		super(message);
	}

}

package io.idempotency.core;

/**
 * Thrown by a store when a record exists for a key but cannot be read, for example because it is corrupt or was
 * written by a newer version of the library.
 *
 * <p>The key is not free, so a request that meets this error must not run its handler, whatever the store failure
 * mode is, because the operation may have run already.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
public class UnreadableRecordException extends RuntimeException {

	public UnreadableRecordException(String message, Throwable cause) {
		super(message, cause);
	}

}

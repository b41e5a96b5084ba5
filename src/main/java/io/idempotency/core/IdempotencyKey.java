package io.idempotency.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Objects;

/**
 * A client-supplied idempotency key together with the scope it belongs to.
 *
 * <p>The scope separates callers: two callers that send the same key value never share a record. The
 * {@linkplain #storageId() storage id} is a hash of both, so any key value is safe to use in a store key and raw keys
 * never appear in store keys or logs.
 *
 * @param scope the caller scope, empty when keys are shared by all callers
 * @param value the key value as sent by the client, after header decoding
 * @author Idempotency contributors
 * @since 0.1.0
 */
public record IdempotencyKey(String scope, String value) {

	public IdempotencyKey {
		Objects.requireNonNull(scope, "scope");
		Objects.requireNonNull(value, "value");
	}

	/**
	 * Returns a fixed-length, URL-safe id for this key: the unpadded Base64url SHA-256 of the scope and the value.
	 * @return the storage id, 43 characters long
	 */
	public String storageId() {
		MessageDigest digest = sha256();
		digest.update(this.scope.getBytes(StandardCharsets.UTF_8));
		// A NUL byte cannot occur in a header value, so it separates scope and value without ambiguity.
		digest.update((byte) 0);
		digest.update(this.value.getBytes(StandardCharsets.UTF_8));
		return Base64.getUrlEncoder().withoutPadding().encodeToString(digest.digest());
	}

	@Override
	public String toString() {
		// Raw keys may be guessable secrets of the client; only the hash is printed.
		return "IdempotencyKey[" + storageId() + "]";
	}

	static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
		}
	}

}

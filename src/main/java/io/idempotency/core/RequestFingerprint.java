package io.idempotency.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Incremental SHA-256 fingerprint of a request: its method, path, query and body.
 *
 * <p>Two requests with the same key must have the same fingerprint, otherwise the second one is a different
 * operation sent with a reused key. The body is fed in chunks as it arrives, so no copy of it is kept. An instance is
 * not thread-safe and is used once.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
public final class RequestFingerprint {

	private final MessageDigest digest = IdempotencyKey.sha256();


	/**
	 * Starts a fingerprint with the request line.
	 * @param method the HTTP method
	 * @param path the raw request path
	 * @param query the raw query string, or an empty string
	 */
	public RequestFingerprint(String method, String path, String query) {
		updateField(method);
		updateField(path);
		updateField(query);
	}


	/**
	 * Adds a chunk of the request body.
	 * @param chunk the bytes between the buffer's position and limit; the position is left unchanged
	 */
	public void updateBody(ByteBuffer chunk) {
		this.digest.update(chunk.duplicate());
	}

	/**
	 * Completes the fingerprint.
	 * @return the hex-encoded SHA-256, 64 characters long
	 */
	public String finish() {
		return HexFormat.of().formatHex(this.digest.digest());
	}

	private void updateField(String value) {
		byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
		// A length prefix keeps "ab" + "c" apart from "a" + "bc".
		this.digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
		this.digest.update(bytes);
	}

}

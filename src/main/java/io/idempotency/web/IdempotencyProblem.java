package io.idempotency.web;

import java.net.URI;

import org.springframework.http.HttpStatus;

/**
 * The errors that the idempotency layer itself returns, each an RFC 9457 problem type with a stable URI.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
public enum IdempotencyProblem {

	/** The endpoint requires a key and the request has none. */
	MISSING_KEY(HttpStatus.BAD_REQUEST, "missing-key", "Idempotency key required"),

	/** The key header is present but cannot be parsed. */
	INVALID_KEY(HttpStatus.BAD_REQUEST, "invalid-key", "Invalid idempotency key"),

	/** Keys are scoped by caller, and the caller of the request cannot be identified. */
	UNRESOLVED_SCOPE(HttpStatus.BAD_REQUEST, "unresolved-scope", "Caller of the idempotency key unknown"),

	/** The request body is over the size that the fingerprint is computed over. */
	REQUEST_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "request-too-large", "Request body too large"),

	/** The key was used before with a different method, path, query or body. */
	KEY_REUSED(HttpStatus.UNPROCESSABLE_CONTENT, "key-reused", "Idempotency key reused for a different request"),

	/** Another request with the same key is still being processed. */
	REQUEST_IN_PROGRESS(HttpStatus.CONFLICT, "request-in-progress", "Request with this key still in progress"),

	/** The request that this duplicate waited for failed and released the key. */
	ORIGINAL_REQUEST_FAILED(HttpStatus.CONFLICT, "original-request-failed",
			"Original request with this key did not complete"),

	/** The key store failed or timed out, and the handler was not run. */
	STORE_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "store-unavailable", "Idempotency store unavailable");

	private static final String TYPE_PREFIX = "urn:idempotency:problem:";

	private final HttpStatus status;

	private final URI type;

	private final String title;


	IdempotencyProblem(HttpStatus status, String name, String title) {
		this.status = status;
		this.type = URI.create(TYPE_PREFIX + name);
		this.title = title;
	}


	public HttpStatus getStatus() {
		return this.status;
	}

	/**
	 * Returns the problem type URI, for example {@code urn:idempotency:problem:key-reused}.
	 */
	public URI getType() {
		return this.type;
	}

	public String getTitle() {
		return this.title;
	}

}

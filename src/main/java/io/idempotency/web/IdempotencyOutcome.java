package io.idempotency.web;

import org.jspecify.annotations.Nullable;

import org.springframework.web.server.ServerWebExchange;

/**
 * Result of {@link IdempotentExchangeHandler} for one request that carries a key, or that was rejected for lacking
 * one.
 *
 * <p>The handler records the outcome as an exchange attribute as soon as it is decided, so an
 * {@link IdempotencyObserver} can read it with {@link #of(ServerWebExchange)} when the handling ends.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
public enum IdempotencyOutcome {

	/** The key was free: the handler ran as the owner of the key. */
	EXECUTED("executed"),

	/** A stored response was replayed without running the handler. */
	REPLAYED("replayed"),

	/** The request waited for the in-flight request with the same key, then got its stored response. */
	HELD_THEN_REPLAYED("held-then-replayed"),

	/** The request got 409: the same key was still in flight after the maximum wait, or its owner released it. */
	CONFLICT("conflict"),

	/** The key was used before for a request with a different method, path, query or body, so it got 422. */
	MISMATCH("mismatch"),

	/** The request was rejected before the store was called: missing or invalid key, large body or unknown caller. */
	REJECTED("rejected"),

	/** The store failed and the request got 503 without running the handler. */
	STORE_ERROR("store-error"),

	/** The store failed and the handler ran without idempotency protection, as the policy's fail-open mode allows. */
	FAIL_OPEN("fail-open");

	private static final String ATTRIBUTE = IdempotencyOutcome.class.getName();

	private final String value;


	IdempotencyOutcome(String value) {
		this.value = value;
	}


	/**
	 * Returns the lower-case name used in metric tags and logs, for example {@code held-then-replayed}.
	 * @return the name
	 */
	public String getValue() {
		return this.value;
	}

	/**
	 * Returns the outcome recorded for an exchange.
	 * @param exchange the exchange
	 * @return the outcome, or {@code null} when the handler has not decided one yet or the request did not take part
	 */
	public static @Nullable IdempotencyOutcome of(ServerWebExchange exchange) {
		return exchange.getAttribute(ATTRIBUTE);
	}

	void recordOn(ServerWebExchange exchange) {
		exchange.getAttributes().put(ATTRIBUTE, this);
	}

}

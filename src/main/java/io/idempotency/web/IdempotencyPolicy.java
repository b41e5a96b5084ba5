package io.idempotency.web;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.http.HttpMethod;
import org.springframework.util.Assert;

/**
 * Immutable rules that decide how requests with an idempotency key are handled: which methods take part, how long
 * records live, how long duplicates wait, size limits and which responses are stored and replayed.
 *
 * <p>Create one with {@link #builder()}; derive a variant, for example for one gateway route, with {@link #mutate()}.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
public final class IdempotencyPolicy {

	/** The smallest lease accepted; shorter values are raised to it, because renewal needs a few round trips. */
	public static final Duration MIN_LEASE = Duration.ofSeconds(2);

	/** Response headers that belong to one exchange and are not replayed unless the exclude list is replaced. */
	public static final Set<String> DEFAULT_EXCLUDED_HEADERS = Set.of("set-cookie", "date", "content-length",
			"transfer-encoding", "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
			"trailer", "upgrade", "x-request-id", "x-correlation-id", "request-id", "traceparent", "tracestate",
			"idempotent-replayed");

	/** Statuses that are never stored although they are below 500, because the same request may succeed later. */
	public static final Set<Integer> DEFAULT_TRANSIENT_STATUSES = Set.of(408, 409, 425, 429);

	private final String headerName;

	private final Set<HttpMethod> methods;

	private final boolean keyRequired;

	private final Duration timeToLive;

	private final Duration lease;

	private final Duration maxWait;

	private final Duration conflictRetryAfter;

	private final int maxKeyLength;

	private final int maxRequestBodySize;

	private final int maxResponseBodySize;

	private final boolean storeServerErrors;

	private final Set<Integer> transientStatuses;

	private final Set<String> includedHeaders;

	private final Set<String> excludedHeaders;

	private final ReleasedWaitAction releasedWaitAction;

	private final StoreFailureMode storeFailureMode;


	private IdempotencyPolicy(Builder builder) {
		this.headerName = builder.headerName;
		this.methods = Set.copyOf(builder.methods);
		this.keyRequired = builder.keyRequired;
		this.timeToLive = builder.timeToLive;
		this.lease = (builder.lease.compareTo(MIN_LEASE) < 0) ? MIN_LEASE : builder.lease;
		this.maxWait = builder.maxWait;
		this.conflictRetryAfter = builder.conflictRetryAfter;
		this.maxKeyLength = builder.maxKeyLength;
		this.maxRequestBodySize = builder.maxRequestBodySize;
		this.maxResponseBodySize = builder.maxResponseBodySize;
		this.storeServerErrors = builder.storeServerErrors;
		this.transientStatuses = Set.copyOf(builder.transientStatuses);
		this.includedHeaders = lowerCase(builder.includedHeaders);
		this.excludedHeaders = lowerCase(builder.excludedHeaders);
		this.releasedWaitAction = builder.releasedWaitAction;
		this.storeFailureMode = builder.storeFailureMode;
	}


	/**
	 * Creates a builder with the default policy.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Creates a builder initialised with this policy's settings.
	 * @return a new builder
	 */
	public Builder mutate() {
		return new Builder(this);
	}

	public String getHeaderName() {
		return this.headerName;
	}

	public Set<HttpMethod> getMethods() {
		return this.methods;
	}

	public boolean isKeyRequired() {
		return this.keyRequired;
	}

	public Duration getTimeToLive() {
		return this.timeToLive;
	}

	public Duration getLease() {
		return this.lease;
	}

	public Duration getMaxWait() {
		return this.maxWait;
	}

	public Duration getConflictRetryAfter() {
		return this.conflictRetryAfter;
	}

	public int getMaxKeyLength() {
		return this.maxKeyLength;
	}

	public int getMaxRequestBodySize() {
		return this.maxRequestBodySize;
	}

	public int getMaxResponseBodySize() {
		return this.maxResponseBodySize;
	}

	public boolean isStoreServerErrors() {
		return this.storeServerErrors;
	}

	public Set<Integer> getTransientStatuses() {
		return this.transientStatuses;
	}

	public Set<String> getIncludedHeaders() {
		return this.includedHeaders;
	}

	public Set<String> getExcludedHeaders() {
		return this.excludedHeaders;
	}

	public ReleasedWaitAction getReleasedWaitAction() {
		return this.releasedWaitAction;
	}

	public StoreFailureMode getStoreFailureMode() {
		return this.storeFailureMode;
	}

	/**
	 * Tells whether a response with the given status is stored and replayed.
	 * @param status the response status code
	 * @return {@code true} for 2xx, 3xx and 4xx other than the transient statuses, and for 5xx when server errors
	 * are stored
	 */
	public boolean isStored(int status) {
		if (status >= 500) {
			return this.storeServerErrors;
		}
		return status >= 200 && !this.transientStatuses.contains(status);
	}

	/**
	 * Tells whether a response header is stored and replayed.
	 * @param name the header name, in any case
	 * @return {@code false} if the header is excluded; otherwise {@code true} for {@code Content-Type}, for headers on
	 * the include list, and for every header when the include list is empty
	 */
	public boolean isReplayedHeader(String name) {
		String lowerCaseName = name.toLowerCase(Locale.ROOT);
		if (this.excludedHeaders.contains(lowerCaseName)) {
			return false;
		}
		// The body cannot be read without its media type, so Content-Type needs no place in the include list.
		if (lowerCaseName.equals("content-type")) {
			return true;
		}
		return this.includedHeaders.isEmpty() || this.includedHeaders.contains(lowerCaseName);
	}

	private static Set<String> lowerCase(Collection<String> names) {
		return names.stream().map((name) -> name.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
	}


	/**
	 * Action of a duplicate that waits for an in-flight request when that request releases its key instead of
	 * storing a response, after a handler error or a response that is not stored.
	 */
	public enum ReleasedWaitAction {

		/** Try to reserve the key again: one of the waiting duplicates runs the handler, the others wait for it. */
		RETRY,

		/** Return 409 with {@code Retry-After}, so the client decides whether to send the request again. */
		REJECT

	}


	/**
	 * Behaviour of the filter when the key store fails or times out.
	 */
	public enum StoreFailureMode {

		/** Return 503 with {@code Retry-After} and do not run the handler. */
		FAIL_CLOSED,

		/** Run the handler without idempotency protection and log a warning. */
		FAIL_OPEN

	}


	/**
	 * Builder of {@link IdempotencyPolicy}.
	 */
	public static final class Builder {

		private String headerName = "Idempotency-Key";

		private Set<HttpMethod> methods = Set.of(HttpMethod.POST, HttpMethod.PATCH);

		private boolean keyRequired;

		private Duration timeToLive = Duration.ofHours(24);

		private Duration lease = Duration.ofSeconds(30);

		private Duration maxWait = Duration.ofSeconds(10);

		private Duration conflictRetryAfter = Duration.ofSeconds(1);

		private int maxKeyLength = 255;

		private int maxRequestBodySize = 1024 * 1024;

		private int maxResponseBodySize = 1024 * 1024;

		private boolean storeServerErrors;

		private Set<Integer> transientStatuses = DEFAULT_TRANSIENT_STATUSES;

		private Set<String> includedHeaders = Set.of();

		private Set<String> excludedHeaders = DEFAULT_EXCLUDED_HEADERS;

		private ReleasedWaitAction releasedWaitAction = ReleasedWaitAction.RETRY;

		private StoreFailureMode storeFailureMode = StoreFailureMode.FAIL_CLOSED;

		private Builder() {
		}

		private Builder(IdempotencyPolicy policy) {
			this.headerName = policy.headerName;
			this.methods = policy.methods;
			this.keyRequired = policy.keyRequired;
			this.timeToLive = policy.timeToLive;
			this.lease = policy.lease;
			this.maxWait = policy.maxWait;
			this.conflictRetryAfter = policy.conflictRetryAfter;
			this.maxKeyLength = policy.maxKeyLength;
			this.maxRequestBodySize = policy.maxRequestBodySize;
			this.maxResponseBodySize = policy.maxResponseBodySize;
			this.storeServerErrors = policy.storeServerErrors;
			this.transientStatuses = policy.transientStatuses;
			this.includedHeaders = policy.includedHeaders;
			this.excludedHeaders = policy.excludedHeaders;
			this.releasedWaitAction = policy.releasedWaitAction;
			this.storeFailureMode = policy.storeFailureMode;
		}

		/**
		 * Sets the request header that carries the key, {@code Idempotency-Key} by default.
		 */
		public Builder headerName(String headerName) {
			Assert.hasText(headerName, "'headerName' must not be empty");
			this.headerName = headerName;
			return this;
		}

		/**
		 * Sets the methods that take part, POST and PATCH by default. Requests with other methods pass untouched.
		 */
		public Builder methods(Collection<HttpMethod> methods) {
			Assert.notEmpty(methods, "'methods' must not be empty");
			this.methods = new LinkedHashSet<>(methods);
			return this;
		}

		/**
		 * Sets whether a request without a key is rejected with 400, {@code false} by default.
		 */
		public Builder keyRequired(boolean keyRequired) {
			this.keyRequired = keyRequired;
			return this;
		}

		/**
		 * Sets how long a stored response is kept and replayed, 24 hours by default.
		 */
		public Builder timeToLive(Duration timeToLive) {
			Assert.isTrue(timeToLive.toMillis() > 0, "'timeToLive' must be positive");
			this.timeToLive = timeToLive;
			return this;
		}

		/**
		 * Sets the lease of an in-flight reservation, 30 seconds by default. The lease is renewed while the handler
		 * runs and lapses when the owner dies; values under {@link #MIN_LEASE} are raised to it.
		 */
		public Builder lease(Duration lease) {
			Assert.isTrue(!lease.isNegative(), "'lease' must not be negative");
			this.lease = lease;
			return this;
		}

		/**
		 * Sets how long a duplicate waits for the in-flight request before it gets 409, 10 seconds by default.
		 */
		public Builder maxWait(Duration maxWait) {
			Assert.isTrue(!maxWait.isNegative(), "'maxWait' must not be negative");
			this.maxWait = maxWait;
			return this;
		}

		/**
		 * Sets the {@code Retry-After} sent with 409 responses, 1 second by default.
		 */
		public Builder conflictRetryAfter(Duration conflictRetryAfter) {
			Assert.isTrue(!conflictRetryAfter.isNegative(), "'conflictRetryAfter' must not be negative");
			this.conflictRetryAfter = conflictRetryAfter;
			return this;
		}

		/**
		 * Sets the maximum key length in characters, 255 by default.
		 */
		public Builder maxKeyLength(int maxKeyLength) {
			Assert.isTrue(maxKeyLength > 0, "'maxKeyLength' must be positive");
			this.maxKeyLength = maxKeyLength;
			return this;
		}

		/**
		 * Sets the maximum request body size in bytes, 1 MiB by default. Larger requests with a key get 413.
		 */
		public Builder maxRequestBodySize(int maxRequestBodySize) {
			Assert.isTrue(maxRequestBodySize >= 0, "'maxRequestBodySize' must not be negative");
			this.maxRequestBodySize = maxRequestBodySize;
			return this;
		}

		/**
		 * Sets the maximum response body size in bytes that is stored, 1 MiB by default. A larger response is
		 * returned to the client but not stored, and the key is released.
		 */
		public Builder maxResponseBodySize(int maxResponseBodySize) {
			Assert.isTrue(maxResponseBodySize >= 0, "'maxResponseBodySize' must not be negative");
			this.maxResponseBodySize = maxResponseBodySize;
			return this;
		}

		/**
		 * Sets whether 5xx responses are stored and replayed, {@code false} by default: a 5xx releases the key.
		 */
		public Builder storeServerErrors(boolean storeServerErrors) {
			this.storeServerErrors = storeServerErrors;
			return this;
		}

		/**
		 * Sets the statuses below 500 that release the key instead of being stored, 408, 409, 425 and 429 by
		 * default.
		 */
		public Builder transientStatuses(Collection<Integer> transientStatuses) {
			this.transientStatuses = Set.copyOf(transientStatuses);
			return this;
		}

		/**
		 * Sets the response headers that are replayed; empty, the default, means all headers that are not excluded.
		 */
		public Builder includedHeaders(Collection<String> includedHeaders) {
			this.includedHeaders = Set.copyOf(includedHeaders);
			return this;
		}

		/**
		 * Sets the response headers that are never replayed, {@link #DEFAULT_EXCLUDED_HEADERS} by default.
		 */
		public Builder excludedHeaders(Collection<String> excludedHeaders) {
			this.excludedHeaders = Set.copyOf(excludedHeaders);
			return this;
		}

		/**
		 * Sets what waiting duplicates do when the in-flight request releases its key, {@code RETRY} by default.
		 */
		public Builder releasedWaitAction(ReleasedWaitAction releasedWaitAction) {
			Assert.notNull(releasedWaitAction, "'releasedWaitAction' must not be null");
			this.releasedWaitAction = releasedWaitAction;
			return this;
		}

		/**
		 * Sets what happens when the store fails, {@code FAIL_CLOSED} by default.
		 */
		public Builder storeFailureMode(StoreFailureMode storeFailureMode) {
			Assert.notNull(storeFailureMode, "'storeFailureMode' must not be null");
			this.storeFailureMode = storeFailureMode;
			return this;
		}

		/**
		 * Builds the policy.
		 * @return a new immutable policy
		 */
		public IdempotencyPolicy build() {
			return new IdempotencyPolicy(this);
		}

	}

}

package io.idempotency.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import io.idempotency.web.IdempotencyPolicy;
import io.idempotency.web.IdempotencyWebFilter;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.http.HttpMethod;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties of idempotent request handling.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
@ConfigurationProperties("idempotency")
public class IdempotencyProperties {

	/**
	 * Whether idempotent request handling is enabled: the filter, the handler, the store and the route filters.
	 */
	private boolean enabled = true;

	/**
	 * Request header that carries the idempotency key.
	 */
	private String headerName = "Idempotency-Key";

	/**
	 * HTTP methods that take part. Requests with other methods pass untouched, even with a key.
	 */
	private List<String> methods = new ArrayList<>(List.of("POST", "PATCH"));

	/**
	 * Path patterns on which requests without a key are rejected with 400.
	 */
	private List<String> requiredPaths = new ArrayList<>();

	/**
	 * Path patterns that the filter never handles, even when the request has a key.
	 */
	private List<String> excludedPaths = new ArrayList<>();

	/**
	 * How long a stored response is kept and replayed.
	 */
	private Duration timeToLive = Duration.ofHours(24);

	/**
	 * Lease of an in-flight reservation. It is renewed while the handler runs and lapses when the owning instance
	 * dies, so that a retry can run. Values under 2 seconds are raised to 2 seconds.
	 */
	private Duration lease = Duration.ofSeconds(30);

	/**
	 * How long a duplicate waits for the in-flight request with the same key before it gets 409.
	 */
	private Duration maxWait = Duration.ofSeconds(10);

	/**
	 * Retry-After sent with 409 and 503 responses.
	 */
	private Duration conflictRetryAfter = Duration.ofSeconds(1);

	/**
	 * Maximum key length in characters. Longer keys are rejected with 400.
	 */
	private int maxKeyLength = 255;

	/**
	 * Maximum request body size of requests with a key. Larger requests are rejected with 413, because the
	 * fingerprint is computed over the whole body.
	 */
	private DataSize maxRequestBodySize = DataSize.ofMegabytes(1);

	/**
	 * Maximum response body size that is stored. A larger response is returned to the client but not stored, and the
	 * key is released, so a retry runs the handler again.
	 */
	private DataSize maxResponseBodySize = DataSize.ofMegabytes(1);

	/**
	 * Whether 5xx responses are stored and replayed. When false, a 5xx releases the key so a retry runs again.
	 */
	private boolean storeServerErrors = false;

	/**
	 * Statuses below 500 that release the key instead of being stored.
	 */
	private Set<Integer> transientStatuses = IdempotencyPolicy.DEFAULT_TRANSIENT_STATUSES;

	/**
	 * Action of duplicates waiting for an in-flight request when that request releases its key: retry (one of them
	 * runs the handler) or reject (409).
	 */
	private IdempotencyPolicy.ReleasedWaitAction onRelease = IdempotencyPolicy.ReleasedWaitAction.RETRY;

	/**
	 * Whether the global web filter is registered. When off, only gateway routes and functional routes that add an
	 * idempotency filter of their own take part.
	 */
	private boolean filterEnabled = true;

	/**
	 * Order of the idempotency web filter.
	 */
	private int filterOrder = IdempotencyWebFilter.DEFAULT_ORDER;

	/**
	 * Key store type.
	 */
	private StoreType store = StoreType.MEMORY;

	private final Replay replay = new Replay();

	private final Memory memory = new Memory();

	private final Scope scope = new Scope();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getHeaderName() {
		return this.headerName;
	}

	public void setHeaderName(String headerName) {
		this.headerName = headerName;
	}

	public List<String> getMethods() {
		return this.methods;
	}

	public void setMethods(List<String> methods) {
		this.methods = methods;
	}

	public List<String> getRequiredPaths() {
		return this.requiredPaths;
	}

	public void setRequiredPaths(List<String> requiredPaths) {
		this.requiredPaths = requiredPaths;
	}

	public List<String> getExcludedPaths() {
		return this.excludedPaths;
	}

	public void setExcludedPaths(List<String> excludedPaths) {
		this.excludedPaths = excludedPaths;
	}

	public Duration getTimeToLive() {
		return this.timeToLive;
	}

	public void setTimeToLive(Duration timeToLive) {
		this.timeToLive = timeToLive;
	}

	public Duration getLease() {
		return this.lease;
	}

	public void setLease(Duration lease) {
		this.lease = lease;
	}

	public Duration getMaxWait() {
		return this.maxWait;
	}

	public void setMaxWait(Duration maxWait) {
		this.maxWait = maxWait;
	}

	public Duration getConflictRetryAfter() {
		return this.conflictRetryAfter;
	}

	public void setConflictRetryAfter(Duration conflictRetryAfter) {
		this.conflictRetryAfter = conflictRetryAfter;
	}

	public int getMaxKeyLength() {
		return this.maxKeyLength;
	}

	public void setMaxKeyLength(int maxKeyLength) {
		this.maxKeyLength = maxKeyLength;
	}

	public DataSize getMaxRequestBodySize() {
		return this.maxRequestBodySize;
	}

	public void setMaxRequestBodySize(DataSize maxRequestBodySize) {
		this.maxRequestBodySize = maxRequestBodySize;
	}

	public DataSize getMaxResponseBodySize() {
		return this.maxResponseBodySize;
	}

	public void setMaxResponseBodySize(DataSize maxResponseBodySize) {
		this.maxResponseBodySize = maxResponseBodySize;
	}

	public boolean isStoreServerErrors() {
		return this.storeServerErrors;
	}

	public void setStoreServerErrors(boolean storeServerErrors) {
		this.storeServerErrors = storeServerErrors;
	}

	public Set<Integer> getTransientStatuses() {
		return this.transientStatuses;
	}

	public void setTransientStatuses(Set<Integer> transientStatuses) {
		this.transientStatuses = transientStatuses;
	}

	public IdempotencyPolicy.ReleasedWaitAction getOnRelease() {
		return this.onRelease;
	}

	public void setOnRelease(IdempotencyPolicy.ReleasedWaitAction onRelease) {
		this.onRelease = onRelease;
	}

	public boolean isFilterEnabled() {
		return this.filterEnabled;
	}

	public void setFilterEnabled(boolean filterEnabled) {
		this.filterEnabled = filterEnabled;
	}

	public int getFilterOrder() {
		return this.filterOrder;
	}

	public void setFilterOrder(int filterOrder) {
		this.filterOrder = filterOrder;
	}

	public StoreType getStore() {
		return this.store;
	}

	public void setStore(StoreType store) {
		this.store = store;
	}

	public Replay getReplay() {
		return this.replay;
	}

	public Memory getMemory() {
		return this.memory;
	}

	public Scope getScope() {
		return this.scope;
	}

	/**
	 * Builds the policy that these properties describe.
	 * @return a new policy
	 */
	public IdempotencyPolicy toPolicy() {
		return IdempotencyPolicy.builder()
			.headerName(this.headerName)
			.methods(this.methods.stream().map(HttpMethod::valueOf).toList())
			.timeToLive(this.timeToLive)
			.lease(this.lease)
			.maxWait(this.maxWait)
			.conflictRetryAfter(this.conflictRetryAfter)
			.maxKeyLength(this.maxKeyLength)
			.maxRequestBodySize(Math.toIntExact(this.maxRequestBodySize.toBytes()))
			.maxResponseBodySize(Math.toIntExact(this.maxResponseBodySize.toBytes()))
			.storeServerErrors(this.storeServerErrors)
			.transientStatuses(this.transientStatuses)
			.includedHeaders(this.replay.getIncludedHeaders())
			.excludedHeaders(this.replay.getExcludedHeaders())
			.releasedWaitAction(this.onRelease)
			.build();
	}


	/**
	 * Key store types.
	 */
	public enum StoreType {

		/** Records in the memory of this instance; not shared between instances. */
		MEMORY,

		/** Records in Redis, shared by every instance that uses the same Redis. */
		REDIS

	}


	/**
	 * Selection of the response headers that are stored and replayed.
	 */
	public static class Replay {

		/**
		 * Response headers that are replayed. Empty means every header that is not excluded. Content-Type is always
		 * replayed unless it is excluded.
		 */
		private Set<String> includedHeaders = Set.of();

		/**
		 * Response headers that are never replayed: per-exchange and hop-by-hop headers by default.
		 */
		private Set<String> excludedHeaders = IdempotencyPolicy.DEFAULT_EXCLUDED_HEADERS;

		public Set<String> getIncludedHeaders() {
			return this.includedHeaders;
		}

		public void setIncludedHeaders(Set<String> includedHeaders) {
			this.includedHeaders = includedHeaders;
		}

		public Set<String> getExcludedHeaders() {
			return this.excludedHeaders;
		}

		public void setExcludedHeaders(Set<String> excludedHeaders) {
			this.excludedHeaders = excludedHeaders;
		}

	}


	/**
	 * Caller scope of idempotency keys.
	 */
	public static class Scope {

		/**
		 * Caller scope mode: 'none' shares one scope among all callers, 'principal' scopes keys
		 * by the authenticated principal's name, 'header' by the value of the request header named by header-name.
		 * Ignored when the application defines its own IdempotencyScopeResolver bean.
		 */
		private ScopeMode mode = ScopeMode.NONE;

		/**
		 * Request header whose value is the caller's scope, for example X-Tenant-Id. Required when the mode is
		 * 'header'. Use it only when a trusted component such as a gateway sets the header.
		 */
		private @Nullable String headerName;

		/**
		 * Action for a request with a key whose caller cannot be identified: 'reject' responds with 400 and an
		 * unresolved-scope problem, 'shared' puts the key in the scope shared by all unidentified callers.
		 */
		private UnresolvedScopeAction whenUnresolved = UnresolvedScopeAction.REJECT;

		public ScopeMode getMode() {
			return this.mode;
		}

		public void setMode(ScopeMode mode) {
			this.mode = mode;
		}

		public @Nullable String getHeaderName() {
			return this.headerName;
		}

		public void setHeaderName(@Nullable String headerName) {
			this.headerName = headerName;
		}

		public UnresolvedScopeAction getWhenUnresolved() {
			return this.whenUnresolved;
		}

		public void setWhenUnresolved(UnresolvedScopeAction whenUnresolved) {
			this.whenUnresolved = whenUnresolved;
		}

	}


	/**
	 * Caller scope modes.
	 */
	public enum ScopeMode {

		/** One scope shared by all callers. */
		NONE,

		/** The authenticated principal's name. */
		PRINCIPAL,

		/** The value of a request header. */
		HEADER

	}


	/**
	 * Actions for a request whose caller cannot be identified.
	 */
	public enum UnresolvedScopeAction {

		/** Respond with 400 and a problem that names the header or credentials to send. */
		REJECT,

		/** Use the scope shared by all callers that cannot be identified. */
		SHARED

	}


	/**
	 * Settings of the in-memory store.
	 */
	public static class Memory {

		/**
		 * Maximum number of stored responses. The oldest are evicted first when it is exceeded.
		 */
		private long maxEntries = 10_000;

		/**
		 * Maximum total size of stored responses. The oldest are evicted first when it is exceeded.
		 */
		private DataSize maxSize = DataSize.ofMegabytes(64);

		public long getMaxEntries() {
			return this.maxEntries;
		}

		public void setMaxEntries(long maxEntries) {
			this.maxEntries = maxEntries;
		}

		public DataSize getMaxSize() {
			return this.maxSize;
		}

		public void setMaxSize(DataSize maxSize) {
			this.maxSize = maxSize;
		}

	}

}

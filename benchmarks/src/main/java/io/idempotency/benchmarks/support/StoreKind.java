package io.idempotency.benchmarks.support;

import java.util.Locale;

/**
 * The configurations that the benchmarks compare: no idempotency filter, the filter with the in-memory store, and the
 * filter with the Redis store.
 */
public enum StoreKind {

	/** No idempotency filter: the baseline that every other figure is divided by. */
	NONE,

	/** The filter with {@code idempotency.store=memory}. */
	MEMORY,

	/** The filter with {@code idempotency.store=redis}, against a redis-server on loopback. */
	REDIS;

	/** The Redis store class; the benchmarks leave Redis out while the library on the class path has none. */
	public static final String REDIS_STORE_CLASS = "io.idempotency.store.redis.RedisIdempotencyKeyStore";


	/**
	 * Returns the lower-case name used in JMH parameters, command-line options and result files.
	 */
	public String id() {
		return name().toLowerCase(Locale.ROOT);
	}

	/**
	 * Returns the value of the {@code idempotency.store} property for this configuration.
	 * @throws IllegalStateException for {@link #NONE}, which runs without the filter
	 */
	public String storeProperty() {
		if (this == NONE) {
			throw new IllegalStateException("The 'none' configuration runs without a filter, so it has no store");
		}
		return id();
	}

	/**
	 * Tells whether this configuration can run with the library on the class path.
	 */
	public boolean isAvailable() {
		return unavailableReason() == null;
	}

	/**
	 * Returns why this configuration cannot run, or {@code null} when it can.
	 */
	public String unavailableReason() {
		if (this != REDIS) {
			return null;
		}
		try {
			Class.forName(REDIS_STORE_CLASS, false, StoreKind.class.getClassLoader());
			return null;
		}
		catch (ClassNotFoundException ex) {
			return "the idempotency-webflux library on the class path has no " + REDIS_STORE_CLASS
					+ "; install a library version that includes it and run again";
		}
	}

	/**
	 * Parses a configuration id such as {@code memory}.
	 * @throws IllegalArgumentException for an unknown id
	 */
	public static StoreKind fromId(String id) {
		for (StoreKind kind : values()) {
			if (kind.id().equals(id.trim().toLowerCase(Locale.ROOT))) {
				return kind;
			}
		}
		throw new IllegalArgumentException("Unknown store '" + id + "'. Use one of: none, memory, redis");
	}

}

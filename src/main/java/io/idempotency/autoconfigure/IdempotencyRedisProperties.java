package io.idempotency.autoconfigure;

import java.time.Duration;

import io.idempotency.web.IdempotencyPolicy;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the Redis key store, used when {@code idempotency.store=redis}.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
@ConfigurationProperties("idempotency.redis")
public class IdempotencyRedisProperties {

	/**
	 * Prefix of the Redis keys and Pub/Sub channels of idempotency records. Each record key is the prefix followed by
	 * the hashed key in braces, a Redis Cluster hash tag. Must not contain '{' or '}'.
	 */
	private String keyPrefix = "idempotency:";

	/**
	 * Time after which a Redis command fails. A failed command is handled according to the failure mode.
	 */
	private Duration commandTimeout = Duration.ofSeconds(1);

	/**
	 * Interval at which a request that waits for an in-flight duplicate reads the record again when no Pub/Sub
	 * message arrives. It bounds the delay that a lost message or a lapsed lease adds to a wait.
	 */
	private Duration pollInterval = Duration.ofMillis(500);

	/**
	 * Behaviour of a request when Redis fails or times out. With 'fail-closed' the request gets 503 with Retry-After
	 * and the handler does not run. With 'fail-open' the handler runs without idempotency protection, so a retry may
	 * run it again, and a warning is logged.
	 */
	private IdempotencyPolicy.StoreFailureMode failureMode = IdempotencyPolicy.StoreFailureMode.FAIL_CLOSED;

	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	public void setKeyPrefix(String keyPrefix) {
		this.keyPrefix = keyPrefix;
	}

	public Duration getCommandTimeout() {
		return this.commandTimeout;
	}

	public void setCommandTimeout(Duration commandTimeout) {
		this.commandTimeout = commandTimeout;
	}

	public Duration getPollInterval() {
		return this.pollInterval;
	}

	public void setPollInterval(Duration pollInterval) {
		this.pollInterval = pollInterval;
	}

	public IdempotencyPolicy.StoreFailureMode getFailureMode() {
		return this.failureMode;
	}

	public void setFailureMode(IdempotencyPolicy.StoreFailureMode failureMode) {
		this.failureMode = failureMode;
	}

}

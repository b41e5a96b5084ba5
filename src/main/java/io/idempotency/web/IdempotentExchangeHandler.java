package io.idempotency.web;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import io.idempotency.core.IdempotencyKey;
import io.idempotency.core.IdempotencyKeyHeader;
import io.idempotency.core.IdempotencyKeyStore;
import io.idempotency.core.InvalidIdempotencyKeyException;
import io.idempotency.core.RequestFingerprint;
import io.idempotency.core.Reservation;
import io.idempotency.core.StoredResponse;
import io.idempotency.core.UnreadableRecordException;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.util.Assert;
import org.springframework.web.server.ServerWebExchange;

/**
 * Runs one exchange under an {@link IdempotencyPolicy}: the engine shared by the {@code WebFilter}, the gateway
 * filter and the functional route filter.
 *
 * <p>For a request whose method takes part and that carries a valid key, the handler reads the body up to the
 * policy's limit, computes the request fingerprint and makes one reserve-or-fetch call to the store. Then:
 * <ul>
 * <li>the key was free: the rest of the chain runs, the response is captured while it is written and stored, or
 * the key is released when the response is not stored (handler error, 5xx, transient 4xx, body over the limit);
 * <li>a response is stored: it is replayed without running the chain, with {@code Idempotent-Replayed: true};
 * <li>the key is in flight: the request waits, without blocking a thread, for the store to signal completion, then
 * gets the stored response, or 409 after the policy's maximum wait;
 * <li>the stored fingerprint differs: 422.
 * </ul>
 * The lease of the reservation is renewed while the chain runs, so that a slow handler keeps its key. Dispose of
 * the handler to stop the shared renewal task.
 *
 * <p>An exchange is handled at most once: when the WebFilter, a gateway route filter or a functional route filter
 * already handled it, a later call passes it straight to {@code next}, so nested filters never wait for their own
 * reservation. Requests that take part are reported to the {@link IdempotencyObserver} with their
 * {@link IdempotencyOutcome}.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
public final class IdempotentExchangeHandler implements Disposable {

	/** Response header set to {@code true} on replayed responses. */
	public static final String REPLAYED_HEADER = "Idempotent-Replayed";

	/**
	 * Exchange attribute set when a handler takes over an exchange; later calls for the same exchange pass it on.
	 */
	public static final String HANDLED_ATTRIBUTE = IdempotentExchangeHandler.class.getName() + ".HANDLED";

	private static final Log logger = LogFactory.getLog(IdempotentExchangeHandler.class);

	private static final byte[] EMPTY = new byte[0];

	private final IdempotencyKeyStore store;

	private final IdempotencyScopeResolver scopeResolver;

	private final IdempotencyObserver observer;

	private final LeaseRenewer leaseRenewer;


	/**
	 * Creates a handler that reports to no observer.
	 * @param store the key store
	 * @param scopeResolver decides whose key a request carries
	 */
	public IdempotentExchangeHandler(IdempotencyKeyStore store, IdempotencyScopeResolver scopeResolver) {
		this(store, scopeResolver, IdempotencyObserver.NONE);
	}

	/**
	 * Creates a handler.
	 * @param store the key store
	 * @param scopeResolver decides whose key a request carries
	 * @param observer observes each request that takes part and may wrap the store, for example to record metrics
	 */
	public IdempotentExchangeHandler(IdempotencyKeyStore store, IdempotencyScopeResolver scopeResolver,
			IdempotencyObserver observer) {
		Assert.notNull(store, "'store' must not be null");
		Assert.notNull(scopeResolver, "'scopeResolver' must not be null");
		Assert.notNull(observer, "'observer' must not be null");
		this.store = observer.observeStore(store);
		this.scopeResolver = scopeResolver;
		this.observer = observer;
		this.leaseRenewer = new LeaseRenewer(this.store);
	}


	/**
	 * Stops renewing the leases of running requests; called when the application shuts down.
	 */
	@Override
	public void dispose() {
		this.leaseRenewer.dispose();
	}

	@Override
	public boolean isDisposed() {
		return this.leaseRenewer.isDisposed();
	}

	/**
	 * Handles one exchange.
	 * @param exchange the current exchange
	 * @param policy the rules for this exchange
	 * @param next the rest of the processing, run at most once and only when this request reserved its key, when the
	 * request does not take part, when the exchange was already handled, or when the store failed and the policy is
	 * {@code FAIL_OPEN}
	 * @return completion of the exchange
	 */
	public Mono<Void> handle(ServerWebExchange exchange, IdempotencyPolicy policy,
			Function<ServerWebExchange, Mono<Void>> next) {
		ServerHttpRequest request = exchange.getRequest();
		if (!policy.getMethods().contains(request.getMethod()) || exchange.getAttribute(HANDLED_ATTRIBUTE) != null) {
			return next.apply(exchange);
		}
		List<String> values = request.getHeaders().get(policy.getHeaderName());
		if (values == null && !policy.isKeyRequired()) {
			return next.apply(exchange);
		}
		exchange.getAttributes().put(HANDLED_ATTRIBUTE, Boolean.TRUE);
		return this.observer.observe(exchange,
				Mono.defer(() -> handleKey(exchange, policy, next, (values != null) ? values : List.of())));
	}

	private Mono<Void> handleKey(ServerWebExchange exchange, IdempotencyPolicy policy,
			Function<ServerWebExchange, Mono<Void>> next, List<String> values) {
		ServerHttpRequest request = exchange.getRequest();
		String keyValue;
		try {
			keyValue = new IdempotencyKeyHeader(policy.getHeaderName(), policy.getMaxKeyLength()).parse(values);
		}
		catch (InvalidIdempotencyKeyException ex) {
			return reject(exchange, IdempotencyProblem.INVALID_KEY, ex.getMessage());
		}
		if (keyValue == null) {
			String detail = "This endpoint requires an " + policy.getHeaderName() + " header. Send a unique value "
					+ "per operation, for example a random UUID, and reuse it when you retry.";
			return reject(exchange, IdempotencyProblem.MISSING_KEY, detail);
		}
		long contentLength = request.getHeaders().getContentLength();
		if (contentLength > policy.getMaxRequestBodySize()) {
			return rejectTooLarge(exchange, policy);
		}
		return this.scopeResolver.resolveScope(exchange)
			.map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.flatMap((scope) -> {
				if (scope.isEmpty()) {
					return reject(exchange, IdempotencyProblem.UNRESOLVED_SCOPE,
							this.scopeResolver.getUnresolvedDetail());
				}
				return readBody(exchange, policy)
					.map(Optional::of)
					.onErrorResume(DataBufferLimitException.class, (ex) -> Mono.just(Optional.empty()))
					.flatMap((bodyWithinLimit) -> {
						if (bodyWithinLimit.isEmpty()) {
							return rejectTooLarge(exchange, policy);
						}
						byte[] body = bodyWithinLimit.get();
						IdempotencyKey key = new IdempotencyKey(scope.get(), keyValue);
						Attempt attempt = new Attempt(exchange, policy, next, key.storageId(),
								fingerprint(request, body), body, System.nanoTime() + policy.getMaxWait().toNanos());
						return reserve(attempt);
					});
			});
	}

	private Mono<byte[]> readBody(ServerWebExchange exchange, IdempotencyPolicy policy) {
		return DataBufferUtils.join(exchange.getRequest().getBody(), policy.getMaxRequestBodySize())
			.map((buffer) -> {
				try {
					byte[] bytes = new byte[buffer.readableByteCount()];
					buffer.read(bytes);
					return bytes;
				}
				finally {
					DataBufferUtils.release(buffer);
				}
			})
			.defaultIfEmpty(EMPTY);
	}

	private static String fingerprint(ServerHttpRequest request, byte[] body) {
		String query = request.getURI().getRawQuery();
		RequestFingerprint fingerprint = new RequestFingerprint(request.getMethod().name(),
				request.getURI().getRawPath(), (query != null) ? query : "");
		fingerprint.updateBody(ByteBuffer.wrap(body));
		return fingerprint.finish();
	}

	private Mono<Void> reserve(Attempt attempt) {
		return this.store.reserve(attempt.storageId, attempt.fingerprint, attempt.policy.getLease())
			.onErrorResume((ex) -> onStoreFailure(attempt, "reserve", ex).then(Mono.empty()))
			.flatMap((reservation) -> {
				if (reservation instanceof Reservation.Reserved reserved) {
					return execute(attempt, reserved.ownerToken());
				}
				if (reservation instanceof Reservation.Completed completed) {
					return replayIfSameRequest(attempt, completed, false);
				}
				Reservation.InFlight inFlight = (Reservation.InFlight) reservation;
				if (!inFlight.fingerprint().equals(attempt.fingerprint)) {
					return rejectReused(attempt);
				}
				return awaitOwner(attempt);
			});
	}

	private Mono<Void> awaitOwner(Attempt attempt) {
		long remainingNanos = attempt.deadlineNanos - System.nanoTime();
		if (remainingNanos <= 0) {
			return rejectInProgress(attempt);
		}
		if (logger.isDebugEnabled()) {
			logger.debug(attempt.logPrefix() + "Key " + attempt.storageId + " is in flight, waiting for its owner");
		}
		return this.store.awaitCompletion(attempt.storageId)
			.<WaitResult>map(WaitResult.Done::new)
			.defaultIfEmpty(WaitResult.RELEASED)
			.timeout(Duration.ofNanos(remainingNanos), Mono.just(WaitResult.TIMED_OUT))
			.onErrorResume((ex) -> rejectStoreUnavailable(attempt, "wait", ex).then(Mono.empty()))
			.flatMap((result) -> {
				if (result instanceof WaitResult.Done done) {
					return replayIfSameRequest(attempt, done.completed, true);
				}
				if (result == WaitResult.TIMED_OUT) {
					return rejectInProgress(attempt);
				}
				if (attempt.policy.getReleasedWaitAction() == IdempotencyPolicy.ReleasedWaitAction.REJECT) {
					IdempotencyOutcome.CONFLICT.recordOn(attempt.exchange);
					String detail = "The request that held this key ended without a stored response, so nothing was "
							+ "done for this duplicate. Send the request again with the same key to run it.";
					return ProblemResponses.write(attempt.exchange, IdempotencyProblem.ORIGINAL_REQUEST_FAILED, detail,
							attempt.policy.getConflictRetryAfter());
				}
				return reserve(attempt);
			});
	}

	/**
	 * Runs the chain as the owner of the key, then stores the response or releases the key. Errors of the chain are
	 * passed on after the key is released. When the exchange is cancelled, for example because the client went away,
	 * the key is neither stored nor released: the handler may have had effects, so the key stays reserved until its
	 * lease lapses.
	 */
	private Mono<Void> execute(Attempt attempt, String ownerToken) {
		ServerWebExchange exchange = attempt.exchange;
		IdempotencyOutcome.EXECUTED.recordOn(exchange);
		ResponseCapture capture = new ResponseCapture(exchange.getResponse(), attempt.policy.getMaxResponseBodySize());
		ServerWebExchange owned = CachedBodyExchange.of(exchange, attempt.body, capture);
		return Mono.defer(() -> {
			Disposable renewal = this.leaseRenewer.register(attempt.logPrefix(), attempt.storageId, ownerToken,
					attempt.policy.getLease());
			// Renewal stops before the store call, so a renewal cannot find the token gone and report a lost key.
			return Mono.defer(() -> attempt.next.apply(owned))
				.doOnTerminate(renewal::dispose)
				.doOnCancel(renewal::dispose)
				.then(Mono.defer(() -> storeOrRelease(attempt, ownerToken, capture)))
				.onErrorResume((ex) -> release(attempt, ownerToken, "the handler failed").then(Mono.error(ex)));
		});
	}

	private Mono<Void> storeOrRelease(Attempt attempt, String ownerToken, ResponseCapture capture) {
		HttpStatusCode status = capture.getStatusCode();
		int statusCode = (status != null) ? status.value() : 200;
		if (!attempt.policy.isStored(statusCode)) {
			return release(attempt, ownerToken, "status " + statusCode + " is not stored");
		}
		if (capture.isOverflowed()) {
			return release(attempt, ownerToken, "the response body is over the maximum of "
					+ attempt.policy.getMaxResponseBodySize() + " bytes");
		}
		StoredResponse response = capture.toStoredResponse(attempt.policy);
		return this.store
			.complete(attempt.storageId, ownerToken, attempt.fingerprint, response, attempt.policy.getTimeToLive())
			.doOnNext((stored) -> {
				if (!stored) {
					logger.warn(attempt.logPrefix() + "Response for key " + attempt.storageId + " was not stored "
							+ "because the reservation had lapsed and another request took the key");
				}
				else if (logger.isDebugEnabled()) {
					logger.debug(attempt.logPrefix() + "Stored response " + statusCode + " for key "
							+ attempt.storageId);
				}
			})
			.onErrorResume((ex) -> {
				logger.warn(attempt.logPrefix() + "Failed to store the response for key " + attempt.storageId
						+ "; releasing the key so that a retry runs the handler again", ex);
				return release(attempt, ownerToken, "storing failed").thenReturn(false);
			})
			.then();
	}

	private Mono<Void> release(Attempt attempt, String ownerToken, String reason) {
		if (logger.isDebugEnabled()) {
			logger.debug(attempt.logPrefix() + "Releasing key " + attempt.storageId + " because " + reason);
		}
		return this.store.release(attempt.storageId, ownerToken)
			.doOnNext((released) -> {
				if (!released) {
					logger.warn(attempt.logPrefix() + "Key " + attempt.storageId + " was not released because the "
							+ "reservation had lapsed and another request took the key");
				}
			})
			.onErrorResume((ex) -> {
				logger.warn(attempt.logPrefix() + "Failed to release key " + attempt.storageId
						+ "; it stays reserved until its lease lapses", ex);
				return Mono.empty();
			})
			.then();
	}

	private Mono<Void> replayIfSameRequest(Attempt attempt, Reservation.Completed completed, boolean held) {
		if (!completed.fingerprint().equals(attempt.fingerprint)) {
			return rejectReused(attempt);
		}
		if (logger.isDebugEnabled()) {
			logger.debug(attempt.logPrefix() + "Replaying response " + completed.response().status() + " for key "
					+ attempt.storageId + (held ? " after waiting for its owner" : ""));
		}
		(held ? IdempotencyOutcome.HELD_THEN_REPLAYED : IdempotencyOutcome.REPLAYED).recordOn(attempt.exchange);
		return replay(attempt.exchange.getResponse(), completed.response());
	}

	/**
	 * Writes a stored response: its status, its headers with their values in order, and its body.
	 */
	static Mono<Void> replay(ServerHttpResponse response, StoredResponse stored) {
		response.setStatusCode(HttpStatusCode.valueOf(stored.status()));
		HttpHeaders headers = response.getHeaders();
		Map<String, List<String>> grouped = new LinkedHashMap<>();
		Map<String, String> namesByLowerCase = new LinkedHashMap<>();
		for (Map.Entry<String, String> header : stored.headers()) {
			String name = namesByLowerCase.computeIfAbsent(header.getKey().toLowerCase(Locale.ROOT),
					(lowerCase) -> header.getKey());
			grouped.computeIfAbsent(name, (key) -> new ArrayList<>()).add(header.getValue());
		}
		grouped.forEach(headers::put);
		headers.set(REPLAYED_HEADER, "true");
		byte[] body = stored.body();
		if (body.length == 0) {
			if (stored.status() != 204 && stored.status() != 304) {
				headers.setContentLength(0);
			}
			return response.setComplete();
		}
		headers.setContentLength(body.length);
		return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(body)));
	}

	private Mono<Void> onStoreFailure(Attempt attempt, String operation, Throwable ex) {
		if (attempt.policy.getStoreFailureMode() == IdempotencyPolicy.StoreFailureMode.FAIL_OPEN
				&& !(ex instanceof UnreadableRecordException)) {
			IdempotencyOutcome.FAIL_OPEN.recordOn(attempt.exchange);
			logger.warn(attempt.logPrefix() + "Idempotency store failed to " + operation + " key " + attempt.storageId
					+ "; running the handler without idempotency protection: " + ex);
			return Mono.defer(() -> attempt.next.apply(CachedBodyExchange.of(attempt.exchange, attempt.body, null)));
		}
		return rejectStoreUnavailable(attempt, operation, ex);
	}

	/**
	 * Writes a 503 problem whatever the failure mode. A duplicate whose owner is in flight never runs the handler, because
	 * running it would run the operation twice.
	 */
	private Mono<Void> rejectStoreUnavailable(Attempt attempt, String operation, Throwable ex) {
		logger.warn(attempt.logPrefix() + "Idempotency store failed to " + operation + " key " + attempt.storageId
				+ "; answering 503 without running the handler: " + ex);
		IdempotencyOutcome.STORE_ERROR.recordOn(attempt.exchange);
		String detail = "The idempotency store is unavailable, so the request was not processed. "
				+ "Retry later with the same " + attempt.policy.getHeaderName() + ".";
		return ProblemResponses.write(attempt.exchange, IdempotencyProblem.STORE_UNAVAILABLE, detail,
				attempt.policy.getConflictRetryAfter());
	}

	private Mono<Void> rejectReused(Attempt attempt) {
		IdempotencyOutcome.MISMATCH.recordOn(attempt.exchange);
		logRejected(attempt.exchange, "key " + attempt.storageId + " reused for a different request");
		String detail = "This " + attempt.policy.getHeaderName() + " was already used for a request with a different "
				+ "method, path, query or body. Use a new key for a new operation, or resend the original request "
				+ "unchanged to get its response.";
		return ProblemResponses.write(attempt.exchange, IdempotencyProblem.KEY_REUSED, detail, null);
	}

	private Mono<Void> rejectInProgress(Attempt attempt) {
		IdempotencyOutcome.CONFLICT.recordOn(attempt.exchange);
		logRejected(attempt.exchange, "key " + attempt.storageId + " still in flight after the maximum wait");
		String detail = "A request with this " + attempt.policy.getHeaderName() + " is still being processed. "
				+ "Retry after the time in the Retry-After header with the same key to get its response.";
		return ProblemResponses.write(attempt.exchange, IdempotencyProblem.REQUEST_IN_PROGRESS, detail,
				attempt.policy.getConflictRetryAfter());
	}

	private static Mono<Void> rejectTooLarge(ServerWebExchange exchange, IdempotencyPolicy policy) {
		String detail = "Requests with an " + policy.getHeaderName() + " may have a body of at most "
				+ policy.getMaxRequestBodySize() + " bytes. Send a smaller body.";
		return reject(exchange, IdempotencyProblem.REQUEST_TOO_LARGE, detail);
	}

	/**
	 * Rejects a request before the store is called.
	 */
	private static Mono<Void> reject(ServerWebExchange exchange, IdempotencyProblem problem, String detail) {
		IdempotencyOutcome.REJECTED.recordOn(exchange);
		logRejected(exchange, problem.getTitle() + ". " + detail);
		return ProblemResponses.write(exchange, problem, detail, null);
	}

	private static void logRejected(ServerWebExchange exchange, String reason) {
		if (logger.isDebugEnabled()) {
			logger.debug(exchange.getLogPrefix() + "Rejected request: " + reason);
		}
	}

	/**
	 * The state of one request that takes part.
	 */
	private record Attempt(ServerWebExchange exchange, IdempotencyPolicy policy,
			Function<ServerWebExchange, Mono<Void>> next, String storageId, String fingerprint, byte[] body,
			long deadlineNanos) {

		String logPrefix() {
			return this.exchange.getLogPrefix();
		}

	}


	/**
	 * Outcome of a wait for the owner of a key.
	 */
	private sealed interface WaitResult {

		WaitResult RELEASED = new Marker();

		WaitResult TIMED_OUT = new Marker();

		record Done(Reservation.Completed completed) implements WaitResult {
		}

		final class Marker implements WaitResult {
		}

	}

}

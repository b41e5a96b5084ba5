package io.idempotency.store.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import io.idempotency.core.IdempotencyKeyStore;
import io.idempotency.core.OwnerTokens;
import io.idempotency.core.Reservation;
import io.idempotency.core.StoredResponse;
import io.idempotency.core.UnreadableRecordException;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.ReactiveScriptingCommands;
import org.springframework.data.redis.connection.ReactiveSubscription;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.util.Assert;

/**
 * {@link IdempotencyKeyStore} that keeps records in Redis, shared by every application instance that uses the same
 * Redis: standalone, Sentinel or Cluster, version 6.2 or later.
 *
 * <p>Each record is a hash at {@code <prefix>{<storage id>}}. Reserve-or-fetch, complete, renew and release are each
 * one Lua script run with {@code EVALSHA}, so every state change is one atomic round trip. An in-flight record always
 * expires after its lease, set in the script that writes it; a completed record expires after its time to live.
 * Complete, renew and release only act while the caller's owner token is stored in the record, so a request whose
 * lease has lapsed cannot overwrite or delete the record of the request that reserved the key after it.
 *
 * <p>Duplicates wait for an in-flight record on the Pub/Sub channel {@code <prefix>{<storage id>}:done}, to which
 * complete and release publish. Concurrent waits for one key in this process share one subscription and one read of
 * the record per wake-up. Pub/Sub delivers at most once, so the record is also read every poll interval. A lost
 * message thus delays a wait by up to one poll interval and one read, and a lease that lapses without a message is
 * noticed the same way.
 *
 * <p>Every command fails with a {@link QueryTimeoutException} when Redis does not reply within the command timeout.
 * What a request does then is decided by the policy's store failure mode: answer 503 (fail closed) or run the handler
 * without protection (fail open). The store reconnects through the client of the connection factory, so it works
 * again as soon as Redis is back.
 *
 * <p>No method blocks the calling thread. The connections are opened on a bounded-elastic thread, because Spring Data
 * Redis connects Lettuce's shared connection synchronously on first use, and kept for the life of the store. As a
 * Spring bean the store starts opening them at startup; otherwise the first command does, or {@link #connect()}.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 * @see #builder(ReactiveRedisConnectionFactory)
 */
public final class RedisIdempotencyKeyStore implements IdempotencyKeyStore, InitializingBean, DisposableBean {

	/** The default prefix of record keys and channel names. */
	public static final String DEFAULT_KEY_PREFIX = "idempotency:";

	/** The default time after which a Redis command fails. */
	public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(1);

	/** The default interval at which a waiting duplicate reads the record when no message arrives. */
	public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);

	private static final Log logger = LogFactory.getLog(RedisIdempotencyKeyStore.class);

	private static final LuaScript RESERVE_SCRIPT = LuaScript.load("idempotency-reserve.lua", ReturnType.MULTI);

	private static final LuaScript COMPLETE_SCRIPT = LuaScript.load("idempotency-complete.lua", ReturnType.INTEGER);

	private static final LuaScript RENEW_SCRIPT = LuaScript.load("idempotency-renew.lua", ReturnType.INTEGER);

	private static final LuaScript RELEASE_SCRIPT = LuaScript.load("idempotency-release.lua", ReturnType.INTEGER);

	private static final LuaScript FETCH_SCRIPT = LuaScript.load("idempotency-fetch.lua", ReturnType.MULTI);

	/** The time to live that {@link Mono#cache(java.util.function.Function, java.util.function.Function,
	 * java.util.function.Supplier)} treats as infinite. */
	private static final Duration CACHED_FOREVER = Duration.ofMillis(Long.MAX_VALUE);

	/** The result of {@link #fetch} for a record that is not in Redis. */
	private static final Object ABSENT = new Object();

	private final ReactiveRedisConnectionFactory connectionFactory;

	private final String keyPrefix;

	private final Duration commandTimeout;

	private final Duration pollInterval;

	/** The connections, opened by the first subscriber; a failed attempt is not cached, so the next one retries. */
	private final Mono<Connections> connections;

	private final AtomicReference<@Nullable Connections> openedConnections = new AtomicReference<>();

	/** The shared wait of each key that at least one caller waits for. */
	private final ConcurrentHashMap<String, Mono<Reservation.Completed>> waits = new ConcurrentHashMap<>();

	private volatile boolean closed;


	private RedisIdempotencyKeyStore(Builder builder) {
		this.connectionFactory = builder.connectionFactory;
		this.keyPrefix = builder.keyPrefix;
		this.commandTimeout = builder.commandTimeout;
		this.pollInterval = builder.pollInterval;
		this.connections = Mono.fromCallable(this::openConnections)
			.subscribeOn(Schedulers.boundedElastic())
			.cache((opened) -> CACHED_FOREVER, (ex) -> Duration.ZERO, () -> Duration.ZERO);
	}


	/**
	 * Creates a builder of a store that uses the given connection factory.
	 * @param connectionFactory the factory of the Redis connections, as configured by Spring Boot for standalone,
	 * Sentinel or Cluster
	 * @return a new builder with the default settings
	 */
	public static Builder builder(ReactiveRedisConnectionFactory connectionFactory) {
		return new Builder(connectionFactory);
	}

	/**
	 * {@inheritDoc}
	 * <p>Once subscribed, the call runs to its end even if the subscriber cancels, for example because the client
	 * closed its connection. A reservation that arrives after the cancel is released at once, so the key does not
	 * stay reserved without an owner until its lease lapses.
	 */
	@Override
	public Mono<Reservation> reserve(String storageId, String fingerprint, Duration lease) {
		return Mono.defer(() -> {
			String ownerToken = OwnerTokens.generate();
			CompletableFuture<Reservation> reservation = this.<List<?>>execute("reserve", RESERVE_SCRIPT, storageId,
					utf8(ownerToken), utf8(fingerprint), milliseconds(lease))
				.map((reply) -> toReservation(storageId, reply, ownerToken))
				.toFuture();
			return Mono.fromFuture(reservation, true)
				.doOnCancel(() -> reservation.thenAccept((result) -> {
					if (result instanceof Reservation.Reserved) {
						release(storageId, ownerToken).subscribe(null, (ex) -> logger.warn("Failed to release key "
								+ storageId + " reserved for a request that was cancelled; it stays reserved until "
								+ "its lease lapses", ex));
					}
				}));
		});
	}

	/**
	 * {@inheritDoc}
	 * <p>Once subscribed, the call runs to its end even if the subscriber cancels. A client that closes its
	 * connection right after the response cancels the exchange, and a cancelled call would leave the record in
	 * flight until its lease lapses.
	 */
	@Override
	public Mono<Boolean> complete(String storageId, String ownerToken, String fingerprint, StoredResponse response,
			Duration timeToLive) {
		return uncancellable(() -> this.<Long>execute("complete", COMPLETE_SCRIPT, storageId, utf8(ownerToken),
				utf8(fingerprint), ByteBuffer.wrap(StoredResponseCodec.encode(response)), milliseconds(timeToLive),
				utf8(channelName(storageId)))
			.map((changed) -> changed == 1L));
	}

	@Override
	public Mono<Boolean> renew(String storageId, String ownerToken, Duration lease) {
		return Mono.defer(() -> this.<Long>execute("renew", RENEW_SCRIPT, storageId, utf8(ownerToken),
				milliseconds(lease)))
			.map((changed) -> changed == 1L);
	}

	/**
	 * {@inheritDoc}
	 * <p>Once subscribed, the call runs to its end even if the subscriber cancels, like {@link #complete}.
	 */
	@Override
	public Mono<Boolean> release(String storageId, String ownerToken) {
		return uncancellable(() -> this.<Long>execute("release", RELEASE_SCRIPT, storageId, utf8(ownerToken),
				utf8(channelName(storageId)))
			.map((changed) -> changed == 1L));
	}

	/**
	 * Opens the connections of this store, which the first command does otherwise.
	 * @return a {@code Mono} that completes when the connections are open, or fails when they cannot be opened; a
	 * later call or command tries again
	 */
	public Mono<Void> connect() {
		return this.connections.then();
	}

	/**
	 * Starts opening the connections in the background, so that the first request does not wait for them.
	 */
	@Override
	public void afterPropertiesSet() {
		connect().subscribe(null, (ex) -> logger.warn("Failed to connect the idempotency store to Redis at startup; "
				+ "the next command tries again", ex));
	}

	/**
	 * {@inheritDoc}
	 * <p>The wait subscribes to the key's channel, then reads the record, and reads it again after each message and
	 * each poll interval until it is no longer in flight. Read failures end the wait with the error.
	 */
	@Override
	public Mono<Reservation.Completed> awaitCompletion(String storageId) {
		return Mono.defer(() -> this.waits.computeIfAbsent(storageId, this::sharedWait));
	}

	/**
	 * Closes the connections that this store opened. Later commands fail, so waits in progress end with an error at
	 * their next read.
	 */
	@Override
	public void destroy() {
		this.closed = true;
		Connections opened = this.openedConnections.getAndSet(null);
		if (opened != null) {
			opened.commands().closeLater()
				.timeout(this.commandTimeout.multipliedBy(5))
				.onErrorResume((ex) -> {
					logger.warn("Failed to close the Redis connections of the idempotency store", ex);
					return Mono.empty();
				})
				.block();
		}
	}

	/**
	 * Returns the number of keys that at least one caller is waiting for in this process.
	 */
	int activeWaitCount() {
		return this.waits.size();
	}

	/**
	 * Returns the Redis key of a record: the prefix, then the storage id as a hash tag, so that the record and its
	 * channel name map to one Redis Cluster slot.
	 * @param storageId the key's storage id
	 * @return the Redis key
	 */
	String recordKey(String storageId) {
		return this.keyPrefix + "{" + storageId + "}";
	}

	/**
	 * Returns the Pub/Sub channel on which complete and release announce that a record is no longer in flight.
	 * @param storageId the key's storage id
	 * @return the channel name
	 */
	String channelName(String storageId) {
		return recordKey(storageId) + ":done";
	}

	private Mono<Reservation.Completed> sharedWait(String storageId) {
		AtomicReference<@Nullable Mono<Reservation.Completed>> self = new AtomicReference<>();
		// publish().refCount(): one upstream for all current waiters, cancelled when the last of them cancels.
		Mono<Reservation.Completed> shared = waitUntilSettled(storageId)
			.doFinally((signal) -> this.waits.remove(storageId, self.get()))
			.flux()
			.publish()
			.refCount(1)
			.next();
		self.set(shared);
		return shared;
	}

	private Mono<Reservation.Completed> waitUntilSettled(String storageId) {
		ByteBuffer channel = utf8(channelName(storageId));
		Mono<ReactiveSubscription> subscribed = connectionsIfOpen()
			.flatMap((opened) -> opened.commands().pubSubCommands().createSubscription())
			.flatMap((subscription) -> subscription.subscribe(channel.duplicate())
				.doOnError((ex) -> unsubscribe(subscription, channel, storageId))
				.doOnCancel(() -> unsubscribe(subscription, channel, storageId))
				.thenReturn(subscription));
		return withTimeout("subscribe", storageId, subscribed)
			.flatMap((subscription) -> readUntilSettled(storageId, subscription)
				.doFinally((signal) -> unsubscribe(subscription, channel, storageId)))
			.flatMap((state) -> (state instanceof Reservation.Completed completed) ? Mono.just(completed)
					: Mono.empty());
	}

	/**
	 * Reads the record now, after each message on the subscribed channel and after each poll interval, until it is
	 * no longer in flight.
	 */
	private Mono<Object> readUntilSettled(String storageId, ReactiveSubscription subscription) {
		// merge subscribes in order: messages are received before the first read, which covers a completion that
		// happened before the subscription was confirmed.
		Flux<Object> wakeUps = Flux.<Object>merge(subscription.receive(), Flux.interval(this.pollInterval),
				Mono.just(storageId))
			.onBackpressureLatest();
		return wakeUps.concatMap((wakeUp) -> fetch(storageId), 1)
			.filter((state) -> !(state instanceof Reservation.InFlight))
			.next();
	}

	/**
	 * Unsubscribes from the channel, also when its subscription was not confirmed in time, and releases the
	 * subscription. This runs in the background and completes once Redis replies, after an outage too.
	 */
	private void unsubscribe(ReactiveSubscription subscription, ByteBuffer channel, String storageId) {
		subscription.unsubscribe(channel.duplicate())
			.onErrorResume((ex) -> Mono.empty())
			.then(subscription.cancel())
			.subscribe(null, (ex) -> {
				if (logger.isDebugEnabled()) {
					logger.debug("Failed to unsubscribe from the channel of key " + storageId, ex);
				}
			});
	}

	/**
	 * Reads the record: a {@link Reservation.InFlight}, a {@link Reservation.Completed} or {@link #ABSENT}.
	 */
	private Mono<Object> fetch(String storageId) {
		return this.<List<?>>execute("fetch", FETCH_SCRIPT, storageId).map((reply) -> {
			if ("absent".equals(text(reply, 0))) {
				return ABSENT;
			}
			return toReservation(storageId, reply, null);
		});
	}

	private Reservation toReservation(String storageId, List<?> reply, @Nullable String ownerToken) {
		String state = text(reply, 0);
		if ("reserved".equals(state) && ownerToken != null) {
			return new Reservation.Reserved(ownerToken);
		}
		if ("in-flight".equals(state)) {
			return new Reservation.InFlight(text(reply, 1));
		}
		if ("completed".equals(state)) {
			try {
				return new Reservation.Completed(text(reply, 1), StoredResponseCodec.decode(buffer(reply, 2)));
			}
			catch (IllegalArgumentException ex) {
				throw new UnreadableRecordException("Failed to decode the stored response of key "
						+ recordKey(storageId) + ": " + ex.getMessage(), ex);
			}
		}
		throw new IllegalStateException("Unexpected reply " + reply + " from Redis for key " + recordKey(storageId));
	}

	/**
	 * Runs a script on the record of one key, loading the script with {@code EVAL} when Redis does not have it.
	 * @param operation the name of the operation, used in error messages
	 * @param args the script arguments, after the record key
	 */
	private <T> Mono<T> execute(String operation, LuaScript script, String storageId, ByteBuffer... args) {
		ByteBuffer[] keysAndArgs = new ByteBuffer[args.length + 1];
		keysAndArgs[0] = utf8(recordKey(storageId));
		System.arraycopy(args, 0, keysAndArgs, 1, args.length);
		Mono<T> result = connectionsIfOpen().flatMap((opened) -> {
			ReactiveScriptingCommands scripting = opened.commands().scriptingCommands();
			return scripting.<T>evalSha(script.sha1(), script.returnType(), 1, duplicates(keysAndArgs))
				.onErrorResume(RedisIdempotencyKeyStore::isNoScriptError,
						(ex) -> scripting.eval(script.text(), script.returnType(), 1, duplicates(keysAndArgs)))
				.next();
		});
		return withTimeout(operation, storageId, result);
	}

	/**
	 * Subscribes to the operation on each subscription and lets it run to its end when that subscriber cancels. The
	 * command timeout still bounds it.
	 */
	private static <T> Mono<T> uncancellable(Supplier<Mono<T>> operation) {
		return Mono.defer(() -> Mono.fromFuture(operation.get().toFuture(), true));
	}

	private <T> Mono<T> withTimeout(String operation, String storageId, Mono<T> command) {
		return command.timeout(this.commandTimeout)
			.onErrorMap(TimeoutException.class, (ex) -> new QueryTimeoutException("Redis did not complete " + operation
					+ " of key " + storageId + " within " + this.commandTimeout.toMillis() + " ms", ex));
	}

	private Mono<Connections> connectionsIfOpen() {
		return (this.closed) ? Mono.error(new IllegalStateException("The Redis idempotency store is closed"))
				: this.connections;
	}

	/**
	 * Opens the command and Pub/Sub connections. Both may block, so this runs on a bounded-elastic thread.
	 */
	private Connections openConnections() {
		Assert.state(!this.closed, "The Redis idempotency store is closed");
		ReactiveRedisConnection commands = this.connectionFactory.getReactiveConnection();
		try {
			// Lettuce creates the Pub/Sub connection under a lock on first use. Creating it here keeps that lock
			// away from event loops, and later subscriptions reuse the connection.
			commands.pubSubCommands()
				.createSubscription()
				.flatMap(ReactiveSubscription::cancel)
				.block(this.commandTimeout.multipliedBy(5));
		}
		catch (RuntimeException ex) {
			commands.close();
			throw ex;
		}
		Connections opened = new Connections(commands);
		this.openedConnections.set(opened);
		if (logger.isDebugEnabled()) {
			logger.debug("Opened Redis connections of the idempotency store with key prefix '" + this.keyPrefix + "'");
		}
		return opened;
	}

	private static boolean isNoScriptError(Throwable ex) {
		for (Throwable current = ex; current != null; current = current.getCause()) {
			String message = current.getMessage();
			if (message != null && message.startsWith("NOSCRIPT")) {
				return true;
			}
		}
		return false;
	}

	private static ByteBuffer[] duplicates(ByteBuffer[] buffers) {
		ByteBuffer[] copies = new ByteBuffer[buffers.length];
		for (int i = 0; i < buffers.length; i++) {
			copies[i] = buffers[i].duplicate();
		}
		return copies;
	}

	private static ByteBuffer utf8(String value) {
		return ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Encodes a duration as a whole number of milliseconds, at least 1, because {@code PEXPIRE} with 0 deletes the
	 * record at once.
	 */
	private static ByteBuffer milliseconds(Duration duration) {
		return utf8(Long.toString(Math.max(1, duration.toMillis())));
	}

	private static ByteBuffer buffer(List<?> reply, int index) {
		Assert.state(reply.size() > index && reply.get(index) instanceof ByteBuffer,
				() -> "Unexpected reply " + reply + " from Redis: no bulk string at index " + index);
		return ((ByteBuffer) reply.get(index)).duplicate();
	}

	private static String text(List<?> reply, int index) {
		return StandardCharsets.UTF_8.decode(buffer(reply, index)).toString();
	}


	/**
	 * The connections that the store keeps: a {@link ReactiveRedisConnection} for commands, which also owns the
	 * Pub/Sub connection that every subscription uses.
	 */
	private record Connections(ReactiveRedisConnection commands) {
	}


	/**
	 * A Lua script from {@code META-INF/scripts}, read once, with its SHA-1 digest for {@code EVALSHA}.
	 */
	private record LuaScript(String sha1, ByteBuffer script, ReturnType returnType) {

		static LuaScript load(String fileName, ReturnType returnType) {
			RedisScript<Object> script = RedisScript.of(new ClassPathResource("META-INF/scripts/" + fileName));
			return new LuaScript(script.getSha1(), utf8(script.getScriptAsString()), returnType);
		}

		ByteBuffer text() {
			return this.script.duplicate();
		}

	}


	/**
	 * Builder of {@link RedisIdempotencyKeyStore}.
	 */
	public static final class Builder {

		private final ReactiveRedisConnectionFactory connectionFactory;

		private String keyPrefix = DEFAULT_KEY_PREFIX;

		private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;

		private Duration pollInterval = DEFAULT_POLL_INTERVAL;

		private Builder(ReactiveRedisConnectionFactory connectionFactory) {
			Assert.notNull(connectionFactory, "'connectionFactory' must not be null");
			this.connectionFactory = connectionFactory;
		}

		/**
		 * Sets the prefix of record keys and channel names, {@value #DEFAULT_KEY_PREFIX} by default. It may be
		 * empty but must not contain braces, because Redis Cluster would then hash part of the prefix instead of the
		 * storage id.
		 */
		public Builder keyPrefix(String keyPrefix) {
			Assert.notNull(keyPrefix, "'keyPrefix' must not be null");
			Assert.isTrue(keyPrefix.indexOf('{') < 0 && keyPrefix.indexOf('}') < 0, () -> "'keyPrefix' must not "
					+ "contain '{' or '}', because Redis Cluster would hash that part of the key, but was '" + keyPrefix
					+ "'");
			this.keyPrefix = keyPrefix;
			return this;
		}

		/**
		 * Sets the time after which a Redis command fails with a {@link QueryTimeoutException}, 1 second by
		 * default.
		 */
		public Builder commandTimeout(Duration commandTimeout) {
			Assert.isTrue(commandTimeout.toMillis() > 0, "'commandTimeout' must be at least 1 ms");
			this.commandTimeout = commandTimeout;
			return this;
		}

		/**
		 * Sets the interval at which a waiting duplicate reads the record when no Pub/Sub message arrives, 500 ms
		 * by default. It bounds the delay that a lost message or a lapsed lease adds to a wait.
		 */
		public Builder pollInterval(Duration pollInterval) {
			Assert.isTrue(pollInterval.toMillis() > 0, "'pollInterval' must be at least 1 ms");
			this.pollInterval = pollInterval;
			return this;
		}

		/**
		 * Builds the store. No connection is opened until the first command.
		 * @return a new store
		 */
		public RedisIdempotencyKeyStore build() {
			return new RedisIdempotencyKeyStore(this);
		}

	}

}

package io.idempotency.benchmarks.jmh;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.idempotency.benchmarks.support.BenchmarkRedis;
import io.idempotency.benchmarks.support.IdempotencyContext;
import io.idempotency.benchmarks.support.OrdersHandler;
import io.idempotency.benchmarks.support.StoreKind;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

/**
 * Time per request of the whole WebFlux exchange in-process, from a mock request to a written mock response,
 * without the idempotency filter and with it on each store.
 *
 * <p>The handler is {@link OrdersHandler}: it reads the body and writes 201 with a 40-byte JSON body. A
 * {@code new-key} request carries a key not sent before, so the filter reserves it, runs the handler and stores the
 * response; a {@code replay} request carries one of 1,024 keys completed during setup, so the filter replays the
 * stored response. Without a filter both kinds just run the handler. One thread sends one request at a time, so the
 * Redis figures include one loopback round trip per store call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@State(Scope.Benchmark)
public class FilterBenchmark {

	private static final String KEY_HEADER = "Idempotency-Key";

	private static final int REPLAY_KEYS = 1024;

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	/** The store behind the filter, or {@code none} for no filter. */
	@Param({ "none", "memory", "redis" })
	public String store;

	/** {@code new-key} or {@code replay}. */
	@Param({ "new-key", "replay" })
	public String request;

	/** Request body size in bytes. */
	@Param({ "256", "4096" })
	public int bodySize;

	private BenchmarkRedis redis;

	private IdempotencyContext context;

	private HttpHandler httpHandler;

	private String body;

	private String[] replayKeys;

	private long sequence;


	@Setup(Level.Trial)
	public void setUp() throws Exception {
		StoreKind kind = StoreKind.fromId(this.store);
		WebHttpHandlerBuilder builder = WebHttpHandlerBuilder
			.webHandler(new OrdersHandler(Duration.ZERO, () -> "", () -> {
			}));
		if (kind != StoreKind.NONE) {
			if (kind == StoreKind.REDIS) {
				this.redis = BenchmarkRedis.obtain();
			}
			this.context = IdempotencyContext.start(kind, (this.redis != null) ? this.redis.port() : 6379);
			if (this.redis != null) {
				this.context.flushRedis();
			}
			builder.filter(this.context.filter());
		}
		this.httpHandler = builder.build();
		this.body = OrdersHandler.requestBody(this.bodySize);
		this.replayKeys = new String[REPLAY_KEYS];
		for (int i = 0; i < REPLAY_KEYS; i++) {
			this.replayKeys[i] = "replay-" + i;
			MockServerHttpResponse response = send(this.replayKeys[i]);
			if (response.getStatusCode() != HttpStatus.CREATED) {
				throw new IllegalStateException("Expected 201 from POST /orders, got " + response.getStatusCode());
			}
		}
		MockServerHttpResponse replayed = send(this.replayKeys[0]);
		boolean isReplay = "true".equals(replayed.getHeaders().getFirst("Idempotent-Replayed"));
		if (isReplay != (kind != StoreKind.NONE)) {
			throw new IllegalStateException("Idempotent-Replayed was " + isReplay + " for store " + this.store);
		}
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		if (this.context != null) {
			this.context.close();
		}
		if (this.redis != null) {
			this.redis.close();
		}
	}

	@Benchmark
	public MockServerHttpResponse handle() {
		long next = this.sequence++;
		String key = "replay".equals(this.request) ? this.replayKeys[(int) (next & (REPLAY_KEYS - 1))] : "new-" + next;
		return send(key);
	}

	private MockServerHttpResponse send(String key) {
		MockServerHttpRequest request = MockServerHttpRequest.post(OrdersHandler.ORDERS_PATH)
			.header(KEY_HEADER, key)
			.contentType(MediaType.APPLICATION_JSON)
			.body(this.body);
		MockServerHttpResponse response = new MockServerHttpResponse();
		this.httpHandler.handle(request, response).block(TIMEOUT);
		return response;
	}

}

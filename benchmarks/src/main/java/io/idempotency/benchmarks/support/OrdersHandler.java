package io.idempotency.benchmarks.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;

/**
 * The trivial service under test: {@code POST /orders} reads the request body and returns 201 with a small JSON body
 * at once, and {@code POST /orders/slow} does the same after a fixed delay.
 *
 * <p>{@code GET /stats} returns how many times an order was created, and what the stats supplier adds, as one JSON
 * object; {@code DELETE /stats} runs the reset action. Other requests get 404.
 */
public final class OrdersHandler implements WebHandler {

	/** Path of the handler that responds at once. */
	public static final String ORDERS_PATH = "/orders";

	/** Path of the handler that responds after {@link #slowDelay}. */
	public static final String SLOW_ORDERS_PATH = "/orders/slow";

	/** Path of the statistics of this handler. */
	public static final String STATS_PATH = "/stats";

	private final AtomicLong executions = new AtomicLong();

	private final Duration slowDelay;

	private final Supplier<String> extraStats;

	private final Runnable resetStats;


	/**
	 * Creates a handler.
	 * @param slowDelay how long {@code POST /orders/slow} waits before it responds
	 * @param extraStats JSON members, without braces, added to the {@code GET /stats} response; may return an empty
	 * string
	 * @param resetStats what {@code DELETE /stats} runs, after which the handler's execution count starts again at 0
	 */
	public OrdersHandler(Duration slowDelay, Supplier<String> extraStats, Runnable resetStats) {
		this.slowDelay = slowDelay;
		this.extraStats = extraStats;
		this.resetStats = resetStats;
	}


	@Override
	public Mono<Void> handle(ServerWebExchange exchange) {
		HttpMethod method = exchange.getRequest().getMethod();
		String path = exchange.getRequest().getPath().value();
		if (HttpMethod.POST.equals(method) && path.equals(ORDERS_PATH)) {
			return readBody(exchange).then(Mono.defer(() -> created(exchange.getResponse())));
		}
		if (HttpMethod.POST.equals(method) && path.equals(SLOW_ORDERS_PATH)) {
			return readBody(exchange).then(Mono.delay(this.slowDelay))
				.then(Mono.defer(() -> created(exchange.getResponse())));
		}
		if (HttpMethod.GET.equals(method) && path.equals(STATS_PATH)) {
			String extra = this.extraStats.get();
			String json = "{\"executions\":" + this.executions.get() + (extra.isEmpty() ? "" : "," + extra) + "}";
			return write(exchange.getResponse(), HttpStatus.OK, json);
		}
		if (HttpMethod.DELETE.equals(method) && path.equals(STATS_PATH)) {
			this.resetStats.run();
			this.executions.set(0);
			exchange.getResponse().setStatusCode(HttpStatus.NO_CONTENT);
			return exchange.getResponse().setComplete();
		}
		exchange.getResponse().setStatusCode(HttpStatus.NOT_FOUND);
		return exchange.getResponse().setComplete();
	}

	/**
	 * Returns a JSON order of the given size in bytes, at least 40, to send to {@code POST /orders}.
	 */
	public static String requestBody(int size) {
		String prefix = "{\"item\":\"book\",\"quantity\":1,\"note\":\"";
		String suffix = "\"}";
		return prefix + "x".repeat(Math.max(0, size - prefix.length() - suffix.length())) + suffix;
	}

	/**
	 * Returns how many times an order was created, which is how many requests ran the handler.
	 */
	public long executions() {
		return this.executions.get();
	}

	private static Mono<Void> readBody(ServerWebExchange exchange) {
		return DataBufferUtils.join(exchange.getRequest().getBody()).doOnNext(DataBufferUtils::release).then();
	}

	private Mono<Void> created(ServerHttpResponse response) {
		long id = this.executions.incrementAndGet();
		response.getHeaders().set("Location", ORDERS_PATH + "/" + id);
		return write(response, HttpStatus.CREATED, "{\"id\":" + id + ",\"status\":\"created\"}");
	}

	private static Mono<Void> write(ServerHttpResponse response, HttpStatus status, String json) {
		byte[] body = json.getBytes(StandardCharsets.UTF_8);
		response.setStatusCode(status);
		response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
		response.getHeaders().setContentLength(body.length);
		DataBuffer buffer = response.bufferFactory().wrap(body);
		return response.writeWith(Mono.just(buffer));
	}

}

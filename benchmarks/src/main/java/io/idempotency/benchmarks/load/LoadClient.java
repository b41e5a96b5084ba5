package io.idempotency.benchmarks.load;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import io.idempotency.benchmarks.support.OrdersHandler;

/**
 * HTTP/1.1 load client on a fixed pool of keep-alive connections to one service on {@code 127.0.0.1}.
 *
 * <p>Callers keep at most {@link #connections()} requests in flight, so that no request waits for a connection and
 * each measured latency is the service's. Every request has a timeout, so a phase always ends.
 */
final class LoadClient implements AutoCloseable {

	static final String KEY_HEADER = "Idempotency-Key";

	static final String REPLAYED_HEADER = "Idempotent-Replayed";

	private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

	private final ConnectionProvider provider;

	private final HttpClient client;

	private final int connections;

	private final byte[] body;


	/**
	 * Creates a client.
	 * @param port the service port on {@code 127.0.0.1}
	 * @param connections the maximum number of connections
	 * @param bodySize the size in bytes of the JSON body sent with each request
	 */
	LoadClient(int port, int connections, int bodySize) {
		this.connections = connections;
		this.provider = ConnectionProvider.builder("load")
			.maxConnections(connections)
			.pendingAcquireMaxCount(-1)
			.pendingAcquireTimeout(REQUEST_TIMEOUT)
			.build();
		this.client = HttpClient.create(this.provider).baseUrl("http://127.0.0.1:" + port);
		this.body = OrdersHandler.requestBody(bodySize).getBytes(StandardCharsets.UTF_8);
	}


	int connections() {
		return this.connections;
	}

	/**
	 * Sends one {@code POST} with the given key and returns its outcome once the whole response body is read.
	 */
	Mono<Outcome> post(String path, String key) {
		return Mono.defer(() -> {
			long startedAt = System.nanoTime();
			return this.client
				.headers((headers) -> headers.set(KEY_HEADER, key)
					.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON))
				.post()
				.uri(path)
				.send(ByteBufFlux.fromInbound(Mono.just(Unpooled.wrappedBuffer(this.body))))
				.responseSingle((response, content) -> content.asByteArray()
					.defaultIfEmpty(new byte[0])
					.map((bytes) -> {
						long finishedAt = System.nanoTime();
						return new Outcome(response.status().code(),
								"true".equals(response.responseHeaders().get(REPLAYED_HEADER)),
								finishedAt - startedAt, finishedAt);
					}));
		})
			.timeout(REQUEST_TIMEOUT)
			.onErrorResume((ex) -> Mono.just(Outcome.failed(ex)));
	}

	/**
	 * Sends a request without an idempotency key and returns the response body, for the service's statistics.
	 */
	String exchange(String method, String path) {
		return this.client.request(io.netty.handler.codec.http.HttpMethod.valueOf(method))
			.uri(path)
			.responseSingle((response, content) -> content.asString(StandardCharsets.UTF_8).defaultIfEmpty(""))
			.block(REQUEST_TIMEOUT);
	}

	@Override
	public void close() {
		this.provider.disposeLater().block(Duration.ofSeconds(10));
	}


	/**
	 * The result of one request.
	 * @param status the HTTP status, or 0 when the request failed without a response
	 * @param replayed whether the response carried {@code Idempotent-Replayed: true}
	 * @param latencyNanos time from sending the request to reading the whole response
	 * @param finishedAtNanos {@link System#nanoTime()} when the whole response was read
	 * @param error the failure, or {@code null}
	 */
	record Outcome(int status, boolean replayed, long latencyNanos, long finishedAtNanos, Throwable error) {

		Outcome(int status, boolean replayed, long latencyNanos, long finishedAtNanos) {
			this(status, replayed, latencyNanos, finishedAtNanos, null);
		}

		static Outcome failed(Throwable error) {
			return new Outcome(0, false, 0, System.nanoTime(), error);
		}

	}

}

package io.idempotency.testsupport;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import io.idempotency.core.IdempotencyKeyStore;
import io.idempotency.web.IdempotencyPolicy;
import io.idempotency.web.IdempotencyScopeResolver;
import io.idempotency.web.IdempotencyWebFilter;
import io.idempotency.web.IdempotentExchangeHandler;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * A reactor-netty server on a random loopback port with the idempotency filter in front of test endpoints that
 * count how many times they ran.
 *
 * <p>Every endpoint waits for the number of milliseconds in the {@code X-Delay-Ms} request header, if present, before
 * it responds, and echoes the {@code Idempotency-Key} it received.
 */
public final class IdempotencyTestServer implements AutoCloseable {

	/** Size of the binary body written by {@code POST /binary}, in bytes. */
	public static final int BINARY_SIZE = 256 * 1024;

	/** Number of buffers that {@code POST /binary} writes its body in. */
	public static final int BINARY_CHUNKS = 64;

	private final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();

	private final byte[] binary = new byte[BINARY_SIZE];

	private final IdempotentExchangeHandler handler;

	private final DisposableServer server;


	/**
	 * Starts a server.
	 * @param store the key store
	 * @param policy the policy of the filter
	 * @param requiredPaths path patterns on which a key is required
	 */
	public IdempotencyTestServer(IdempotencyKeyStore store, IdempotencyPolicy policy, String... requiredPaths) {
		ThreadLocalRandom.current().nextBytes(this.binary);
		this.handler = new IdempotentExchangeHandler(store, IdempotencyScopeResolver.shared());
		IdempotencyWebFilter filter = IdempotencyWebFilter.builder(this.handler)
			.policy(policy)
			.requiredPaths(requiredPaths)
			.build();
		HttpHandler httpHandler = RouterFunctions.toHttpHandler(routes(),
				HandlerStrategies.builder().webFilter(filter).build());
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle(new ReactorHttpHandlerAdapter(httpHandler))
			.bindNow(Duration.ofSeconds(10));
	}


	public String baseUrl() {
		return "http://127.0.0.1:" + this.server.port();
	}

	/**
	 * Returns how many times the endpoint at the given path ran.
	 */
	public int executions(String path) {
		AtomicInteger count = this.executions.get(path);
		return (count != null) ? count.get() : 0;
	}

	/**
	 * Returns the body that {@code POST /binary} writes.
	 */
	public byte[] binaryBody() {
		return this.binary.clone();
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(10));
		this.handler.dispose();
	}

	private RouterFunction<ServerResponse> routes() {
		return RouterFunctions.route()
			.POST("/orders", (request) -> run(request, (execution, body) -> ServerResponse
				.created(URI.create("/orders/" + execution))
				.eTag("\"v" + execution + "\"")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(json(request, execution, body))))
			.PATCH("/orders", (request) -> run(request, (execution, body) -> ServerResponse.ok()
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(json(request, execution, body))))
			.GET("/orders", (request) -> run(request, (execution, body) -> ServerResponse.ok()
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(json(request, execution, body))))
			.POST("/form", (request) -> request.formData().flatMap((form) -> run(request, (execution, body) -> ServerResponse
				.ok()
				.contentType(MediaType.TEXT_PLAIN)
				.bodyValue(form.getFirst("item") + " x" + form.getFirst("quantity") + " execution " + execution))))
			.POST("/accepted", (request) -> run(request, (execution, body) -> ServerResponse.accepted()
				.contentType(MediaType.TEXT_PLAIN)
				.bodyValue("accepted " + execution)))
			.POST("/no-content", (request) -> run(request, (execution, body) -> ServerResponse.noContent().build()))
			.POST("/status/{code}", (request) -> run(request, (execution, body) -> ServerResponse
				.status(Integer.parseInt(request.pathVariable("code")))
				.contentType(MediaType.TEXT_PLAIN)
				.bodyValue("status " + request.pathVariable("code") + " execution " + execution)))
			.POST("/error", (request) -> run(request, (execution, body) -> Mono
				.error(new IllegalStateException("handler failed on purpose"))))
			.POST("/binary", (request) -> run(request, (execution, body) -> ServerResponse.ok()
				.contentType(MediaType.APPLICATION_OCTET_STREAM)
				.body(BodyInserters.fromDataBuffers(binaryChunks()))))
			.POST("/headers", (request) -> run(request, (execution, body) -> ServerResponse.ok()
				.contentType(MediaType.TEXT_PLAIN)
				.header("X-Multi", "first")
				.header("X-Multi", "second, with a comma")
				.header("X-Multi", "third")
				.header("Link", "</a>; rel=\"next\", </b>; rel=\"last\"")
				.header("X-Request-Id", "request-" + execution)
				.header("Cache-Control", "no-cache")
				.cookie(ResponseCookie.from("session", "s" + execution).build())
				.bodyValue("headers " + execution)))
			.POST("/large/{size}", (request) -> run(request, (execution, body) -> ServerResponse.ok()
				.contentType(MediaType.TEXT_PLAIN)
				.bodyValue("x".repeat(Integer.parseInt(request.pathVariable("size"))))))
			.build();
	}

	private Mono<ServerResponse> run(ServerRequest request, ResponseFactory factory) {
		return request.bodyToMono(String.class).defaultIfEmpty("").flatMap((body) -> {
			int execution = this.executions.computeIfAbsent(request.path(), (path) -> new AtomicInteger())
				.incrementAndGet();
			long delay = request.headers().firstHeader("X-Delay-Ms") != null
					? Long.parseLong(request.headers().firstHeader("X-Delay-Ms")) : 0;
			Mono<Void> wait = (delay > 0) ? Mono.delay(Duration.ofMillis(delay)).then() : Mono.empty();
			return wait.then(Mono.defer(() -> factory.create(execution, body)));
		});
	}

	private Flux<DataBuffer> binaryChunks() {
		int chunkSize = BINARY_SIZE / BINARY_CHUNKS;
		return Flux.range(0, BINARY_CHUNKS)
			.map((index) -> DefaultDataBufferFactory.sharedInstance.wrap(
					Arrays.copyOfRange(this.binary, index * chunkSize, (index + 1) * chunkSize)));
	}

	private static String json(ServerRequest request, int execution, String body) {
		String key = request.headers().firstHeader("Idempotency-Key");
		return "{\"execution\":" + execution + ",\"key\":\"" + escape(key) + "\",\"method\":\""
				+ request.method().name() + "\",\"request\":\"" + escape(body) + "\"}";
	}

	private static String escape(String value) {
		if (value == null) {
			return "";
		}
		return value.replace("\\", "\\\\").replace("\"", "\\\"");
	}


	@FunctionalInterface
	private interface ResponseFactory {

		Mono<ServerResponse> create(int execution, String body);

	}

}

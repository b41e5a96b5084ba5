package io.idempotency.web.function;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import io.idempotency.store.memory.InMemoryIdempotencyKeyStore;
import io.idempotency.web.IdempotencyPolicy;
import io.idempotency.web.IdempotencyScopeResolver;
import io.idempotency.web.IdempotentExchangeHandler;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ResponseStatusException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs functional routes on a real loopback server, one with the filter function and one without.
 */
class IdempotencyHandlerFilterFunctionTests {

	private final AtomicInteger executions = new AtomicInteger();

	private final AtomicInteger refundAttempts = new AtomicInteger();

	private DisposableServer server;

	private WebClient client;


	@BeforeEach
	void startServer() {
		InMemoryIdempotencyKeyStore store = new InMemoryIdempotencyKeyStore(1000, 1024 * 1024, Clock.systemUTC());
		IdempotentExchangeHandler handler = new IdempotentExchangeHandler(store, IdempotencyScopeResolver.shared());
		IdempotencyPolicy policy = IdempotencyPolicy.builder().keyRequired(true).build();
		RouterFunction<ServerResponse> routes = RouterFunctions.route()
			.POST("/payments/{account}", this::createPayment)
			.POST("/refunds/{account}", this::rejectRefund)
			.filter(new IdempotencyHandlerFilterFunction(handler, policy))
			.build()
			.and(RouterFunctions.route().POST("/plain/{account}", this::createPayment).build());
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle(new ReactorHttpHandlerAdapter(RouterFunctions.toHttpHandler(routes)))
			.bindNow();
		this.client = WebClient.create("http://127.0.0.1:" + this.server.port());
	}

	@AfterEach
	void stopServer() {
		this.server.disposeNow();
	}


	@Test
	void replaysResponseOfFilteredRoute() {
		String key = UUID.randomUUID().toString();

		ResponseEntity<String> first = post("/payments/acme", key, "amount=10").block(Duration.ofSeconds(10));
		ResponseEntity<String> replayed = post("/payments/acme", key, "amount=10").block(Duration.ofSeconds(10));

		assertThat(this.executions).hasValue(1);
		assertThat(first.getStatusCode().value()).isEqualTo(201);
		assertThat(first.getHeaders().getFirst(IdempotentExchangeHandler.REPLAYED_HEADER)).isNull();
		assertThat(replayed.getStatusCode().value()).isEqualTo(201);
		assertThat(replayed.getHeaders().getFirst(IdempotentExchangeHandler.REPLAYED_HEADER)).isEqualTo("true");
		assertThat(replayed.getHeaders().getLocation()).isEqualTo(first.getHeaders().getLocation());
		assertThat(replayed.getBody()).isEqualTo(first.getBody());
	}

	@Test
	void handlerReadsBodyAndPathVariables() {
		ResponseEntity<String> response = post("/payments/acme", UUID.randomUUID().toString(), "amount=10")
			.block(Duration.ofSeconds(10));

		assertThat(response.getBody()).isEqualTo("execution 1 for acme: amount=10");
	}

	@Test
	void concurrentDuplicatesRunHandlerOnce() {
		String key = UUID.randomUUID().toString();

		List<ResponseEntity<String>> responses = Flux.range(0, 4)
			.flatMap((i) -> post("/payments/acme", key, "amount=10"))
			.collectList()
			.block(Duration.ofSeconds(20));

		assertThat(this.executions).hasValue(1);
		assertThat(responses).extracting(ResponseEntity::getBody).containsOnly("execution 1 for acme: amount=10");
	}

	@Test
	void requestWithoutKeyIsRejectedBeforeHandler() {
		ResponseEntity<String> response = post("/payments/acme", null, "amount=10").block(Duration.ofSeconds(10));

		assertThat(response.getStatusCode().value()).isEqualTo(400);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getBody()).contains("urn:idempotency:problem:missing-key");
		assertThat(this.executions).hasValue(0);
	}

	@Test
	void keyReusedWithOtherBodyIsRejected() {
		String key = UUID.randomUUID().toString();

		post("/payments/acme", key, "amount=10").block(Duration.ofSeconds(10));
		ResponseEntity<String> reused = post("/payments/acme", key, "amount=99").block(Duration.ofSeconds(10));

		assertThat(reused.getStatusCode().value()).isEqualTo(422);
		assertThat(this.executions).hasValue(1);
	}

	@Test
	void handlerThrowingReleasesKey() {
		String key = UUID.randomUUID().toString();

		ResponseEntity<String> first = post("/refunds/acme", key, "amount=10").block(Duration.ofSeconds(10));
		ResponseEntity<String> retry = post("/refunds/acme", key, "amount=10").block(Duration.ofSeconds(10));

		assertThat(first.getStatusCode().value()).isEqualTo(503);
		assertThat(retry.getStatusCode().value()).isEqualTo(503);
		assertThat(this.refundAttempts).hasValue(2);
	}

	private Mono<ServerResponse> rejectRefund(ServerRequest request) {
		this.refundAttempts.incrementAndGet();
		// Thrown, not returned as an error signal, as handler functions often do.
		throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "refunds are paused");
	}

	@Test
	void routeWithoutFilterRunsEveryTime() {
		String key = UUID.randomUUID().toString();

		post("/plain/acme", key, "amount=10").block(Duration.ofSeconds(10));
		post("/plain/acme", key, "amount=10").block(Duration.ofSeconds(10));

		assertThat(this.executions).hasValue(2);
	}

	private Mono<ServerResponse> createPayment(ServerRequest request) {
		String account = request.pathVariable("account");
		return request.bodyToMono(String.class)
			.delayElement(Duration.ofMillis(200))
			.flatMap((body) -> {
				int execution = this.executions.incrementAndGet();
				return ServerResponse.status(HttpStatus.CREATED)
					.header("Location", "/payments/" + account + "/" + execution)
					.contentType(MediaType.TEXT_PLAIN)
					.bodyValue("execution " + execution + " for " + account + ": " + body);
			});
	}

	private Mono<ResponseEntity<String>> post(String path, String key, String body) {
		return this.client.post()
			.uri(path)
			.headers((headers) -> {
				if (key != null) {
					headers.set("Idempotency-Key", key);
				}
			})
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue(body)
			.exchangeToMono((response) -> response.toEntity(String.class));
	}

}

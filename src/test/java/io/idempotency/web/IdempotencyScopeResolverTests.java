package io.idempotency.web;

import java.security.Principal;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import io.idempotency.store.memory.InMemoryIdempotencyKeyStore;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sends requests with the same key from different callers to a real loopback server that runs the idempotency web
 * filter with a scope resolver.
 */
class IdempotencyScopeResolverTests {

	private static final String TENANT_HEADER = "X-Tenant-Id";

	/** Test-only authentication: the principal's name is taken from this header. */
	private static final String USER_HEADER = "X-Test-User";

	private final AtomicInteger executions = new AtomicInteger();

	private final Sinks.Empty<Void> gate = Sinks.empty();

	private final CountDownLatch heldRequestStarted = new CountDownLatch(1);

	private DisposableServer server;

	private WebClient client;


	@AfterEach
	void stopServer() {
		this.gate.tryEmitEmpty();
		this.server.disposeNow();
	}


	@Test
	void sameKeyFromTwoTenantsRunsTwice() {
		startServer(IdempotencyScopeResolver.header(TENANT_HEADER));
		String key = UUID.randomUUID().toString();

		ResponseEntity<String> acme = post(key, TENANT_HEADER, "acme").block(Duration.ofSeconds(10));
		ResponseEntity<String> globex = post(key, TENANT_HEADER, "globex").block(Duration.ofSeconds(10));
		ResponseEntity<String> acmeAgain = post(key, TENANT_HEADER, "acme").block(Duration.ofSeconds(10));

		assertThat(this.executions).hasValue(2);
		assertThat(acme.getBody()).isEqualTo("order 1 for acme");
		assertThat(globex.getBody()).isEqualTo("order 2 for globex");
		assertThat(acmeAgain.getBody()).isEqualTo("order 1 for acme");
		assertThat(acmeAgain.getHeaders().getFirst(IdempotentExchangeHandler.REPLAYED_HEADER)).isEqualTo("true");
	}

	@Test
	void inFlightTenantDoesNotHoldOther() throws InterruptedException {
		startServer(IdempotencyScopeResolver.header(TENANT_HEADER));
		String key = UUID.randomUUID().toString();

		Mono<ResponseEntity<String>> held = post(key, TENANT_HEADER, "acme", true).cache();
		held.subscribe();
		assertThat(this.heldRequestStarted.await(10, TimeUnit.SECONDS)).as("held request reached the handler").isTrue();
		ResponseEntity<String> globex = post(key, TENANT_HEADER, "globex").block(Duration.ofSeconds(5));
		this.gate.tryEmitEmpty();
		ResponseEntity<String> acme = held.block(Duration.ofSeconds(10));

		assertThat(globex.getStatusCode().value()).isEqualTo(201);
		assertThat(globex.getBody()).isEqualTo("order 2 for globex");
		assertThat(acme.getStatusCode().value()).isEqualTo(201);
		assertThat(acme.getBody()).isEqualTo("order 1 for acme");
	}

	@Test
	void requestWithoutTenantIsRejected() {
		startServer(IdempotencyScopeResolver.header(TENANT_HEADER));

		ResponseEntity<String> response = post(UUID.randomUUID().toString(), null, null).block(Duration.ofSeconds(10));

		assertThat(response.getStatusCode().value()).isEqualTo(400);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getBody()).contains("urn:idempotency:problem:unresolved-scope");
		assertThat(response.getBody()).contains("Send that header exactly once");
		assertThat(response.getBody()).contains(TENANT_HEADER);
		assertThat(this.executions).hasValue(0);
	}

	@Test
	void requestWithoutTenantUsesSharedScopeWhenConfigured() {
		startServer(IdempotencyScopeResolver.header(TENANT_HEADER).orSharedScope());
		String key = UUID.randomUUID().toString();

		ResponseEntity<String> first = post(key, null, null).block(Duration.ofSeconds(10));
		ResponseEntity<String> replayed = post(key, null, null).block(Duration.ofSeconds(10));

		assertThat(first.getStatusCode().value()).isEqualTo(201);
		assertThat(replayed.getBody()).isEqualTo(first.getBody());
		assertThat(this.executions).hasValue(1);
	}

	@Test
	void sameKeyFromTwoPrincipalsRunsTwice() {
		startServer(IdempotencyScopeResolver.principal());
		String key = UUID.randomUUID().toString();

		ResponseEntity<String> alice = post(key, USER_HEADER, "alice").block(Duration.ofSeconds(10));
		ResponseEntity<String> bob = post(key, USER_HEADER, "bob").block(Duration.ofSeconds(10));
		ResponseEntity<String> aliceAgain = post(key, USER_HEADER, "alice").block(Duration.ofSeconds(10));

		assertThat(this.executions).hasValue(2);
		assertThat(alice.getBody()).isEqualTo("order 1 for alice");
		assertThat(bob.getBody()).isEqualTo("order 2 for bob");
		assertThat(aliceAgain.getBody()).isEqualTo("order 1 for alice");
	}

	@Test
	void unauthenticatedRequestIsRejected() {
		startServer(IdempotencyScopeResolver.principal());

		ResponseEntity<String> response = post(UUID.randomUUID().toString(), null, null).block(Duration.ofSeconds(10));

		assertThat(response.getStatusCode().value()).isEqualTo(400);
		assertThat(response.getBody()).contains("urn:idempotency:problem:unresolved-scope");
		assertThat(response.getBody()).contains("Authenticate");
		assertThat(this.executions).hasValue(0);
	}

	private void startServer(IdempotencyScopeResolver scopeResolver) {
		IdempotentExchangeHandler handler = new IdempotentExchangeHandler(
				new InMemoryIdempotencyKeyStore(1000, 1024 * 1024, Clock.systemUTC()), scopeResolver);
		IdempotencyWebFilter idempotency = IdempotencyWebFilter.builder(handler).build();
		WebFilter authentication = (exchange, chain) -> {
			String user = exchange.getRequest().getHeaders().getFirst(USER_HEADER);
			if (user == null) {
				return chain.filter(exchange);
			}
			Principal principal = () -> user;
			return chain.filter(exchange.mutate().principal(Mono.just(principal)).build());
		};
		RouterFunction<ServerResponse> routes = RouterFunctions.route().POST("/orders", this::createOrder).build();
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle(new ReactorHttpHandlerAdapter(WebHttpHandlerBuilder.webHandler(RouterFunctions.toWebHandler(routes))
				.filter(authentication, idempotency)
				.build()))
			.bindNow();
		this.client = WebClient.create("http://127.0.0.1:" + this.server.port());
	}

	private Mono<ServerResponse> createOrder(ServerRequest request) {
		String caller = request.headers().firstHeader(TENANT_HEADER);
		if (caller == null) {
			caller = request.headers().firstHeader(USER_HEADER);
		}
		int execution = this.executions.incrementAndGet();
		String body = "order " + execution + " for " + caller;
		Mono<Void> wait = Mono.empty();
		if ("true".equals(request.headers().firstHeader("X-Hold"))) {
			this.heldRequestStarted.countDown();
			wait = this.gate.asMono();
		}
		return wait.then(ServerResponse.status(HttpStatus.CREATED).contentType(MediaType.TEXT_PLAIN).bodyValue(body));
	}

	private Mono<ResponseEntity<String>> post(String key, String callerHeader, String caller) {
		return post(key, callerHeader, caller, false);
	}

	private Mono<ResponseEntity<String>> post(String key, String callerHeader, String caller, boolean hold) {
		return this.client.post()
			.uri("/orders")
			.headers((headers) -> {
				headers.set("Idempotency-Key", key);
				if (callerHeader != null) {
					headers.set(callerHeader, caller);
				}
				if (hold) {
					headers.set("X-Hold", "true");
				}
			})
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue("one book")
			.exchangeToMono((response) -> response.toEntity(String.class));
	}

}

package io.idempotency.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import io.idempotency.web.IdempotentExchangeHandler;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs a real gateway application on loopback that routes to a real downstream server, which counts how often each
 * test's requests reach it. Routes come from {@code gateway-routes.yml} and from the Java route DSL.
 */
class IdempotencyGatewayFilterFactoryTests {

	private static final Map<String, AtomicInteger> downstreamHits = new ConcurrentHashMap<>();

	private static DisposableServer downstream;

	private static ConfigurableApplicationContext gateway;

	private static WebClient client;


	@BeforeAll
	static void startDownstreamAndGateway() {
		downstream = HttpServer.create().host("127.0.0.1").port(0).handle(Downstream::handle).bindNow();
		gateway = new SpringApplicationBuilder(GatewayApplication.class)
			.properties("server.address=127.0.0.1", "server.port=0",
					"spring.config.import=classpath:io/idempotency/gateway/gateway-routes.yml",
					"downstream.uri=http://127.0.0.1:" + downstream.port())
			.run();
		String port = gateway.getEnvironment().getProperty("local.server.port");
		client = WebClient.create("http://127.0.0.1:" + port);
	}

	@AfterAll
	static void stopGatewayAndDownstream() {
		gateway.close();
		downstream.disposeNow();
	}


	@Test
	void concurrentDuplicatesReachDownstreamOnce() {
		String testId = UUID.randomUUID().toString();
		String key = UUID.randomUUID().toString();

		List<ResponseEntity<String>> responses = Flux.range(0, 5)
			.flatMap((i) -> send(HttpMethod.POST, "/orders/1", testId, key))
			.collectList()
			.block(Duration.ofSeconds(30));

		assertThat(downstreamHits(testId)).isEqualTo(1);
		assertThat(responses).hasSize(5);
		assertThat(responses).allSatisfy((response) -> assertThat(response.getStatusCode().value()).isEqualTo(201));
		assertThat(responses).extracting(ResponseEntity::getBody).containsOnly(responses.get(0).getBody());
		assertThat(responses).filteredOn((response) -> isReplayed(response)).hasSize(4);
	}

	@Test
	void replayCarriesDownstreamStatusHeadersAndBody() {
		String testId = UUID.randomUUID().toString();
		String key = UUID.randomUUID().toString();

		ResponseEntity<String> first = send(HttpMethod.POST, "/orders/2", testId, key).block(Duration.ofSeconds(10));
		ResponseEntity<String> replayed = send(HttpMethod.POST, "/orders/2", testId, key).block(Duration.ofSeconds(10));

		assertThat(downstreamHits(testId)).isEqualTo(1);
		assertThat(isReplayed(first)).isFalse();
		assertThat(isReplayed(replayed)).isTrue();
		assertThat(replayed.getStatusCode().value()).isEqualTo(201);
		assertThat(replayed.getHeaders().getLocation()).isEqualTo(first.getHeaders().getLocation());
		assertThat(replayed.getHeaders().getLocation()).hasToString("/orders/" + testId);
		assertThat(replayed.getHeaders().getETag()).isEqualTo("\"v1\"");
		assertThat(replayed.getHeaders().get("X-Step")).containsExactly("validated", "stored");
		assertThat(replayed.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_JSON);
		assertThat(replayed.getBody()).isEqualTo(first.getBody());
		assertThat(replayed.getBody()).contains("\"hit\":1");
	}

	@Test
	void routeArgumentsOverrideApplicationPolicy() {
		String testId = UUID.randomUUID().toString();
		String key = UUID.randomUUID().toString();

		ResponseEntity<String> withoutKey = send(HttpMethod.POST, "/orders/3", testId, null)
			.block(Duration.ofSeconds(10));
		ResponseEntity<String> put = send(HttpMethod.PUT, "/orders/3", testId, key).block(Duration.ofSeconds(10));
		ResponseEntity<String> putAgain = send(HttpMethod.PUT, "/orders/3", testId, key).block(Duration.ofSeconds(10));

		assertThat(withoutKey.getStatusCode().value()).as("required: true").isEqualTo(400);
		assertThat(withoutKey.getBody()).contains("urn:idempotency:problem:missing-key");
		assertThat(isReplayed(putAgain)).as("methods: POST,PUT").isTrue();
		assertThat(putAgain.getBody()).isEqualTo(put.getBody());
		assertThat(downstreamHits(testId)).isEqualTo(1);
	}

	@Test
	void routeMaxWaitAppliesInsteadOfGlobalFilter() {
		String testId = UUID.randomUUID().toString();
		String key = UUID.randomUUID().toString();

		// The downstream takes 2 s on /slow. The global maximum wait is 10 s, the route's is 300 ms.
		Mono<ResponseEntity<String>> owner = send(HttpMethod.POST, "/slow/1", testId, key);
		Mono<ResponseEntity<String>> duplicate = Mono.delay(Duration.ofMillis(200))
			.then(send(HttpMethod.POST, "/slow/1", testId, key));
		List<ResponseEntity<String>> responses = Flux.merge(owner, duplicate)
			.collectSortedList((a, b) -> Integer.compare(a.getStatusCode().value(), b.getStatusCode().value()))
			.block(Duration.ofSeconds(30));

		assertThat(responses.get(0).getStatusCode().value()).isEqualTo(201);
		assertThat(responses.get(1).getStatusCode().value()).isEqualTo(409);
		assertThat(responses.get(1).getBody()).contains("urn:idempotency:problem:request-in-progress");
		assertThat(downstreamHits(testId)).isEqualTo(1);
	}

	@Test
	void shortcutArgumentRequiresKey() {
		String testId = UUID.randomUUID().toString();

		ResponseEntity<String> response = send(HttpMethod.POST, "/shortcut/1", testId, null)
			.block(Duration.ofSeconds(10));

		assertThat(response.getStatusCode().value()).isEqualTo(400);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(downstreamHits(testId)).isZero();
	}

	@Test
	void javaDslRouteAppliesItsSettings() {
		String testId = UUID.randomUUID().toString();
		String key = UUID.randomUUID().toString();

		ResponseEntity<String> withoutKey = send(HttpMethod.POST, "/dsl/1", testId, null).block(Duration.ofSeconds(10));
		ResponseEntity<String> first = send(HttpMethod.POST, "/dsl/1", testId, key).block(Duration.ofSeconds(10));
		ResponseEntity<String> replayed = send(HttpMethod.POST, "/dsl/1", testId, key).block(Duration.ofSeconds(10));

		assertThat(withoutKey.getStatusCode().value()).isEqualTo(400);
		assertThat(isReplayed(replayed)).isTrue();
		assertThat(replayed.getBody()).isEqualTo(first.getBody());
		assertThat(downstreamHits(testId)).isEqualTo(1);
	}

	@Test
	void routeWithoutFilterUsesWebFilter() {
		String testId = UUID.randomUUID().toString();
		String key = UUID.randomUUID().toString();

		ResponseEntity<String> first = send(HttpMethod.POST, "/plain/1", testId, key).block(Duration.ofSeconds(10));
		ResponseEntity<String> replayed = send(HttpMethod.POST, "/plain/1", testId, key).block(Duration.ofSeconds(10));
		ResponseEntity<String> withoutKey = send(HttpMethod.POST, "/plain/1", testId, null)
			.block(Duration.ofSeconds(10));

		assertThat(isReplayed(replayed)).isTrue();
		assertThat(replayed.getBody()).isEqualTo(first.getBody());
		assertThat(withoutKey.getStatusCode().value()).as("the global policy does not require a key").isEqualTo(201);
		assertThat(downstreamHits(testId)).isEqualTo(2);
	}

	private static Mono<ResponseEntity<String>> send(HttpMethod method, String path, String testId, String key) {
		return client.method(method)
			.uri(path)
			.headers((headers) -> {
				headers.set(Downstream.TEST_ID_HEADER, testId);
				if (key != null) {
					headers.set("Idempotency-Key", key);
				}
			})
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"item\":\"book\"}")
			.exchangeToMono((response) -> response.toEntity(String.class));
	}

	private static boolean isReplayed(ResponseEntity<String> response) {
		return "true".equals(response.getHeaders().getFirst(IdempotentExchangeHandler.REPLAYED_HEADER));
	}

	private static int downstreamHits(String testId) {
		AtomicInteger hits = downstreamHits.get(testId);
		return (hits != null) ? hits.get() : 0;
	}


	/**
	 * The downstream service: counts requests per test, waits a little so that duplicates overlap, and responds with
	 * 201 and headers that a replay must carry.
	 */
	static final class Downstream {

		static final String TEST_ID_HEADER = "X-Test-Id";

		static Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
			String testId = request.requestHeaders().get(TEST_ID_HEADER, "none");
			int hit = downstreamHits.computeIfAbsent(testId, (id) -> new AtomicInteger()).incrementAndGet();
			Duration delay = request.uri().startsWith("/slow") ? Duration.ofSeconds(2) : Duration.ofMillis(300);
			return request.receive()
				.aggregate()
				.asString()
				.defaultIfEmpty("")
				.delayElement(delay)
				.flatMap((body) -> response.status(201)
					.header(HttpHeaders.LOCATION, "/orders/" + testId)
					.header(HttpHeaders.ETAG, "\"v" + hit + "\"")
					.addHeader("X-Step", "validated")
					.addHeader("X-Step", "stored")
					.header(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON_VALUE)
					.sendString(Mono.just("{\"hit\":" + hit + ",\"id\":" + ThreadLocalRandom.current().nextLong()
							+ ",\"received\":" + body.length() + "}"))
					.then());
		}

	}


	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class GatewayApplication {

		@Bean
		RouteLocator dslRoutes(RouteLocatorBuilder routes, IdempotencyGatewayFilterFactory idempotency,
				Environment environment) {
			return routes.routes()
				.route("dsl", (route) -> route.path("/dsl/**")
					.filters((filters) -> filters.filter(idempotency
						.apply((config) -> config.setRequired(true).setTimeToLive(Duration.ofMinutes(5)))))
					.uri(environment.getRequiredProperty("downstream.uri")))
				.build();
		}

	}

}

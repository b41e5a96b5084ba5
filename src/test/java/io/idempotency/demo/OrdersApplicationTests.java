package io.idempotency.demo;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's curl session against the demo service, over real HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "idempotency.required-paths=/orders", "demo.processing-time=200ms" })
class OrdersApplicationTests {

	@LocalServerPort
	private int port;

	@Autowired
	private OrdersController controller;


	private WebTestClient client() {
		return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.port)
			.responseTimeout(Duration.ofSeconds(30)).build();
	}

	private EntityExchangeResult<String> createOrder(String key, String item) {
		return client().post().uri("/orders")
			.header("Idempotency-Key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"item\":\"" + item + "\"}")
			.exchange()
			.expectBody(String.class)
			.returnResult();
	}

	@Test
	void curlSessionFromReadmeBehavesAsShown() {
		long before = this.controller.executions().get("executions");
		String key = UUID.randomUUID().toString();

		EntityExchangeResult<String> created = createOrder(key, "book");
		EntityExchangeResult<String> retried = createOrder(key, "book");
		EntityExchangeResult<String> changed = createOrder(key, "pen");

		assertThat(created.getStatus().value()).isEqualTo(201);
		assertThat(created.getResponseHeaders().getLocation()).isNotNull();
		assertThat(retried.getStatus().value()).isEqualTo(201);
		assertThat(retried.getResponseBody()).isEqualTo(created.getResponseBody());
		assertThat(retried.getResponseHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
		assertThat(changed.getStatus().value()).isEqualTo(422);
		assertThat(changed.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(this.controller.executions().get("executions")).isEqualTo(before + 1);
	}

	@Test
	void burstOfDuplicatesRunsHandlerOnce() {
		long before = this.controller.executions().get("executions");
		String key = UUID.randomUUID().toString();
		WebClient client = WebClient.create("http://127.0.0.1:" + this.port);

		List<String> bodies = Flux.range(0, 20)
			.flatMap((i) -> client.post().uri("/orders")
				.header("Idempotency-Key", key)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"item\":\"book\"}")
				.retrieve()
				.bodyToMono(String.class))
			.collectList()
			.block(Duration.ofSeconds(30));

		Set<String> distinct = bodies.stream().collect(Collectors.toSet());
		assertThat(bodies).hasSize(20);
		assertThat(distinct).hasSize(1);
		assertThat(this.controller.executions().get("executions")).isEqualTo(before + 1);
	}

	@Test
	void orderWithoutKeyIsRejected() {
		client().post().uri("/orders")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"item\":\"book\"}")
			.exchange()
			.expectStatus().isBadRequest()
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody().jsonPath("$.type").isEqualTo("urn:idempotency:problem:missing-key");
	}

}

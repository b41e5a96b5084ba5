package io.idempotency.demo;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.awaitility.Awaitility.await;

/**
 * Runs the demo service on a random loopback port and reads the idempotency metrics from its actuator endpoint, as an
 * operator would.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.address=127.0.0.1", "demo.processing-time=10ms",
				"management.endpoints.web.exposure.include=health,metrics" })
class OrdersApplicationMetricsTests {

	@LocalServerPort
	private int port;

	@Test
	void replayIsVisibleInActuatorMetrics() {
		WebTestClient client = WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.port)
			.responseTimeout(Duration.ofSeconds(10))
			.build();
		String key = UUID.randomUUID().toString();

		for (int i = 0; i < 2; i++) {
			client.post()
				.uri("/orders")
				.header("Idempotency-Key", key)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"item\":\"book\"}")
				.exchange()
				.expectStatus()
				.isCreated();
		}

		// The client can read the first response before its store call ends, so the retry is either replayed at once
		// or held briefly and then replayed: both count under idempotency.requests.
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> client.get()
				.uri("/actuator/metrics/idempotency.requests?tag=outcome:executed")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.measurements[?(@.statistic == 'COUNT')].value")
				.isEqualTo(1.0));
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> client.get()
				.uri("/actuator/metrics/idempotency.requests?tag=method:POST")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.measurements[?(@.statistic == 'COUNT')].value")
				.isEqualTo(2.0));
		client.get()
			.uri("/actuator/metrics/idempotency.store?tag=operation:reserve&tag=store:memory")
			.exchange()
			.expectStatus()
			.isOk();
	}

}

package io.idempotency.demo;

import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Demo orders service with the idempotency filter enabled, started by {@code ./mvnw spring-boot:test-run}.
 *
 * <p>{@code POST /orders} requires an {@code Idempotency-Key}; {@code GET /orders/executions} returns how many times
 * the order handler ran. The in-memory store is used unless {@code idempotency.store=redis} is set.
 */
@SpringBootApplication
public class OrdersApplication {

	/**
	 * Defaults of the demo, each of which can be overridden on the command line.
	 */
	static final Map<String, Object> DEMO_DEFAULTS = Map.of("server.port", 8080, "idempotency.required-paths",
			"/orders", "management.endpoints.web.exposure.include", "health,metrics");

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(OrdersApplication.class);
		application.setDefaultProperties(DEMO_DEFAULTS);
		application.run(args);
	}

}

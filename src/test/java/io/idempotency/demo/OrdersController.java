package io.idempotency.demo;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Creates orders and counts how many times the create handler ran.
 */
@RestController
class OrdersController {

	private final AtomicLong executions = new AtomicLong();

	private final Duration processingTime;

	OrdersController(@Value("${demo.processing-time:200ms}") Duration processingTime) {
		this.processingTime = processingTime;
	}

	@PostMapping("/orders")
	Mono<ResponseEntity<Map<String, Object>>> create(@RequestBody Map<String, Object> order) {
		long execution = this.executions.incrementAndGet();
		String id = new UUID(ThreadLocalRandom.current().nextLong(), ThreadLocalRandom.current().nextLong()).toString();
		Map<String, Object> created = new LinkedHashMap<>();
		created.put("id", id);
		created.put("item", String.valueOf(order.get("item")));
		created.put("execution", execution);
		return Mono.delay(this.processingTime)
			.thenReturn(ResponseEntity.status(HttpStatus.CREATED).header("Location", "/orders/" + id).body(created));
	}

	@GetMapping("/orders/executions")
	Map<String, Long> executions() {
		return Map.of("executions", this.executions.get());
	}

}

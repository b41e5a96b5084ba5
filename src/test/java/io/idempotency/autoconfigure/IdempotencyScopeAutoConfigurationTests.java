package io.idempotency.autoconfigure;

import java.security.Principal;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import io.idempotency.web.IdempotencyPolicy;
import io.idempotency.web.IdempotencyScopeResolver;
import io.idempotency.web.IdempotencyWebFilter;
import io.idempotency.web.IdempotentExchangeHandler;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the scope resolver and web filter that {@link IdempotencyAutoConfiguration} derives from
 * {@code idempotency.scope.*} and {@code idempotency.filter-enabled}.
 */
class IdempotencyScopeAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(IdempotencyAutoConfiguration.class));

	@Test
	void scopeIsSharedByDefault() {
		this.contextRunner.run((context) -> StepVerifier
			.create(context.getBean(IdempotencyScopeResolver.class).resolveScope(exchange("X-Tenant-Id", "acme")))
			.expectNext("")
			.verifyComplete());
	}

	@Test
	void headerModeScopesByHeaderValue() {
		this.contextRunner
			.withPropertyValues("idempotency.scope.mode=header", "idempotency.scope.header-name=X-Tenant-Id")
			.run((context) -> {
				IdempotencyScopeResolver resolver = context.getBean(IdempotencyScopeResolver.class);
				StepVerifier.create(resolver.resolveScope(exchange("X-Tenant-Id", "acme")))
					.expectNext("header:acme")
					.verifyComplete();
				StepVerifier.create(resolver.resolveScope(exchange("X-Other", "acme"))).verifyComplete();
			});
	}

	@Test
	void headerModeWithoutHeaderNameFailsAtStartup() {
		this.contextRunner.withPropertyValues("idempotency.scope.mode=header")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("idempotency.scope.header-name must be set"));
	}

	@Test
	void principalModeScopesByPrincipal() {
		this.contextRunner.withPropertyValues("idempotency.scope.mode=principal").run((context) -> {
			IdempotencyScopeResolver resolver = context.getBean(IdempotencyScopeResolver.class);
			Principal alice = () -> "alice";
			MockServerWebExchange authenticated = MockServerWebExchange.builder(MockServerHttpRequest.post("/orders"))
				.principal(alice)
				.build();
			StepVerifier.create(resolver.resolveScope(authenticated)).expectNext("principal:alice").verifyComplete();
			StepVerifier.create(resolver.resolveScope(exchange("X-Other", "none"))).verifyComplete();
		});
	}

	@Test
	void unresolvedCallerIsRejectedByDefault() {
		this.contextRunner.withPropertyValues("idempotency.scope.mode=principal").run((context) -> {
			AtomicBoolean handlerRan = new AtomicBoolean();
			MockServerWebExchange exchange = exchange("Idempotency-Key", "k1");

			StepVerifier.create(handle(context.getBean(IdempotentExchangeHandler.class), exchange, handlerRan))
				.verifyComplete();

			assertThat(handlerRan).isFalse();
			assertThat(exchange.getResponse().getStatusCode().value()).isEqualTo(400);
		});
	}

	@Test
	void unresolvedCallerSharesScopeWhenConfigured() {
		this.contextRunner
			.withPropertyValues("idempotency.scope.mode=principal", "idempotency.scope.when-unresolved=shared")
			.run((context) -> {
				AtomicBoolean handlerRan = new AtomicBoolean();
				MockServerWebExchange exchange = exchange("Idempotency-Key", "k1");

				StepVerifier.create(handle(context.getBean(IdempotentExchangeHandler.class), exchange, handlerRan))
					.verifyComplete();

				assertThat(handlerRan).isTrue();
			});
	}

	@Test
	void webFilterIsNotDefinedWhenTurnedOff() {
		this.contextRunner.withPropertyValues("idempotency.filter-enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(IdempotencyWebFilter.class));
	}

	private static Mono<Void> handle(IdempotentExchangeHandler handler, MockServerWebExchange exchange,
			AtomicBoolean handlerRan) {
		return handler.handle(exchange, IdempotencyPolicy.builder().build(), (handled) -> {
			handlerRan.set(true);
			return handled.getResponse().setComplete();
		});
	}

	private static MockServerWebExchange exchange(String headerName, String headerValue) {
		return MockServerWebExchange.from(MockServerHttpRequest.post("/orders").header(headerName, headerValue));
	}

}

package io.idempotency.autoconfigure;

import org.junit.jupiter.api.Test;

import io.idempotency.gateway.IdempotencyGatewayFilterFactory;
import io.idempotency.gateway.IdempotentRouteExclusion;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;

import static org.assertj.core.api.Assertions.assertThat;

class IdempotencyGatewayAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(IdempotencyAutoConfiguration.class, IdempotencyGatewayAutoConfiguration.class));

	@Test
	void beansAreDefinedWithGateway() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(IdempotencyGatewayFilterFactory.class);
			assertThat(context).hasSingleBean(IdempotentRouteExclusion.class);
		});
	}

	@Test
	void nothingIsDefinedWhenGatewayIsAbsent() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(GatewayFilterFactory.class)).run((context) -> {
			assertThat(context).doesNotHaveBean(IdempotencyGatewayFilterFactory.class);
			assertThat(context).doesNotHaveBean(IdempotentRouteExclusion.class);
		});
	}

	@Test
	void nothingIsDefinedWhenGatewayIsDisabled() {
		this.contextRunner.withPropertyValues("spring.cloud.gateway.server.webflux.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(IdempotencyGatewayFilterFactory.class));
	}

	@Test
	void nothingIsDefinedWhenSwitchedOff() {
		this.contextRunner.withPropertyValues("idempotency.gateway.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(IdempotencyGatewayFilterFactory.class));
	}

	@Test
	void nothingIsDefinedWhenIdempotencyIsDisabled() {
		this.contextRunner.withPropertyValues("idempotency.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(IdempotencyGatewayFilterFactory.class));
	}

}

package io.idempotency.autoconfigure;

import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;

import io.idempotency.observation.ObservationIdempotencyObserver;
import io.idempotency.web.IdempotencyObserver;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class IdempotencyObservationAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(IdempotencyObservationAutoConfiguration.class,
				IdempotencyAutoConfiguration.class));

	@Test
	void observerIsDefinedWhenRegistryExists() {
		this.contextRunner.withBean(ObservationRegistry.class, ObservationRegistry::create)
			.run((context) -> assertThat(context).hasSingleBean(ObservationIdempotencyObserver.class));
	}

	@Test
	void observerIsNotDefinedWithoutRegistry() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(IdempotencyObserver.class));
	}

	@Test
	void observerIsNotDefinedWithoutMicrometerObservation() {
		this.contextRunner.withBean(ObservationRegistry.class, ObservationRegistry::create)
			.withClassLoader(new FilteredClassLoader(ObservationRegistry.class))
			.run((context) -> assertThat(context).doesNotHaveBean(IdempotencyObserver.class));
	}

	@Test
	void applicationObserverTakesPrecedence() {
		this.contextRunner.withBean(ObservationRegistry.class, ObservationRegistry::create)
			.withBean(IdempotencyObserver.class, () -> IdempotencyObserver.NONE)
			.run((context) -> assertThat(context).getBean(IdempotencyObserver.class)
				.isSameAs(IdempotencyObserver.NONE));
	}

}

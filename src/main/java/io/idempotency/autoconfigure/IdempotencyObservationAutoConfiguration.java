package io.idempotency.autoconfigure;

import io.micrometer.observation.ObservationRegistry;

import io.idempotency.observation.ObservationIdempotencyObserver;
import io.idempotency.web.IdempotencyObserver;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of Micrometer observations of idempotent requests, active when Micrometer Observation is on the
 * classpath and the application has an {@link ObservationRegistry} bean, as Spring Boot Actuator defines.
 *
 * <p>Observations whose names start with {@code idempotency} can be turned off with
 * {@code management.observations.enable.idempotency=false}.
 *
 * @author Idempotency contributors
 * @since 0.1.0
 */
@AutoConfiguration(before = IdempotencyAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean(ObservationRegistry.class)
@ConditionalOnBooleanProperty(name = "idempotency.enabled", matchIfMissing = true)
public final class IdempotencyObservationAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(IdempotencyObserver.class)
	ObservationIdempotencyObserver observationIdempotencyObserver(ObservationRegistry registry) {
		return new ObservationIdempotencyObserver(registry);
	}

}

package io.idempotency.benchmarks.support;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.idempotency.core.IdempotencyKeyStore;
import io.idempotency.web.IdempotencyPolicy;
import io.idempotency.web.IdempotencyScopeResolver;
import io.idempotency.web.IdempotencyWebFilter;
import io.idempotency.web.IdempotentExchangeHandler;

import org.springframework.boot.ApplicationContextFactory;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.context.reactive.AnnotationConfigReactiveWebApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;

/**
 * The idempotency beans that the library's auto-configuration creates for one store, with default properties.
 *
 * <p>The benchmarks take the store, policy and scope resolver from a Spring Boot context rather than construct them,
 * so that each store is measured as an application gets it from {@code idempotency.store=memory} or
 * {@code idempotency.store=redis}. The context is a reactive web context without a server: the benchmarks run their
 * own server or drive the handler in-process.
 */
public final class IdempotencyContext implements AutoCloseable {

	private final ConfigurableApplicationContext context;

	private final List<IdempotentExchangeHandler> builtHandlers = new CopyOnWriteArrayList<>();


	private IdempotencyContext(ConfigurableApplicationContext context) {
		this.context = context;
	}


	/**
	 * Starts a context for the given store.
	 * @param store {@link StoreKind#MEMORY} or {@link StoreKind#REDIS}
	 * @param redisPort the port of the redis-server on {@code 127.0.0.1}; ignored for the in-memory store
	 * @throws IllegalStateException when the store is not available in the library on the class path
	 */
	public static IdempotencyContext start(StoreKind store, int redisPort) {
		String unavailable = store.unavailableReason();
		if (unavailable != null) {
			throw new IllegalStateException("Cannot benchmark the " + store.id() + " store: " + unavailable);
		}
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("idempotency.store", store.storeProperty());
		properties.put("spring.data.redis.host", "127.0.0.1");
		properties.put("spring.data.redis.port", redisPort);
		properties.put("spring.main.banner-mode", "off");
		properties.put("logging.level.root", "warn");
		SpringApplication application = new SpringApplication(AutoConfigured.class);
		application.setWebApplicationType(WebApplicationType.REACTIVE);
		application.setApplicationContextFactory(
				ApplicationContextFactory.of(AnnotationConfigReactiveWebApplicationContext::new));
		application.setBannerMode(Banner.Mode.OFF);
		application.setLogStartupInfo(false);
		application.setRegisterShutdownHook(false);
		application.setDefaultProperties(properties);
		IdempotencyContext started = new IdempotencyContext(application.run());
		IdempotencyKeyStore keyStore = started.store();
		if (store == StoreKind.REDIS && !keyStore.getClass().getName().equals(StoreKind.REDIS_STORE_CLASS)) {
			started.close();
			throw new IllegalStateException("idempotency.store=redis created a " + keyStore.getClass().getName()
					+ " instead of " + StoreKind.REDIS_STORE_CLASS);
		}
		return started;
	}

	/**
	 * Returns the key store bean.
	 */
	public IdempotencyKeyStore store() {
		return this.context.getBean(IdempotencyKeyStore.class);
	}

	/**
	 * Returns the filter bean, as an application would get it.
	 */
	public IdempotencyWebFilter filter() {
		return this.context.getBean(IdempotencyWebFilter.class);
	}

	/**
	 * Builds a filter like the {@linkplain #filter() filter bean} but on another store, for example a decorator of
	 * the store bean that records timings. Its handler is disposed when the context is closed.
	 * @param keyStore the store the filter uses
	 */
	public IdempotencyWebFilter filterWith(IdempotencyKeyStore keyStore) {
		IdempotentExchangeHandler handler = new IdempotentExchangeHandler(keyStore,
				this.context.getBean(IdempotencyScopeResolver.class));
		this.builtHandlers.add(handler);
		return IdempotencyWebFilter.builder(handler).policy(this.context.getBean(IdempotencyPolicy.class)).build();
	}

	/**
	 * Deletes every key of the Redis server that the context connects to.
	 */
	public void flushRedis() {
		try (ReactiveRedisConnection connection = this.context.getBean(ReactiveRedisConnectionFactory.class)
			.getReactiveConnection()) {
			connection.serverCommands().flushAll().block(Duration.ofSeconds(10));
		}
	}

	@Override
	public void close() {
		this.builtHandlers.forEach(IdempotentExchangeHandler::dispose);
		this.context.close();
	}


	/**
	 * Turns on auto-configuration, which brings the idempotency beans and the Redis connection factory.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class AutoConfigured {

	}

}

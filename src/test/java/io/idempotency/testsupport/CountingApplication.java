package io.idempotency.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Spring Boot application with one idempotent endpoint, {@code POST /work}, that counts how often its handler runs.
 *
 * <p>Each HTTP test starts one or more instances on random ports of 127.0.0.1 with {@link #start}. The response body
 * contains the request's key and body, the instance name ({@code work.instance}) and the execution number, so a
 * replayed response is recognisable and responses for different keys cannot be confused. The handler waits
 * {@code work.delay} before it responds, or the {@code delayMillis} query parameter when one is sent.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import(CountingApplication.WorkController.class)
public class CountingApplication {

	/**
	 * Default properties. Spring Cloud Gateway is on the test class path for the gateway tests, and this application
	 * is no gateway, so the idempotency gateway integration is switched off.
	 */
	private static final List<String> DEFAULTS = List.of("server.port=0", "server.address=" + RedisServer.HOST,
			"server.shutdown=immediate", "spring.main.banner-mode=off", "idempotency.required-paths=/work",
			"logging.level.root=WARN", "idempotency.gateway.enabled=false");

	/**
	 * Starts an instance in this JVM on a random port with the idempotency filter required on {@code /work}.
	 * @param properties further properties in {@code name=value} form, overriding the defaults
	 * @return the running application context
	 */
	public static ConfigurableApplicationContext start(String... properties) {
		List<String> all = new ArrayList<>(DEFAULTS);
		all.addAll(List.of(properties));
		return new SpringApplicationBuilder(CountingApplication.class).web(WebApplicationType.REACTIVE)
			.properties(all.toArray(String[]::new))
			.run();
	}

	/**
	 * Starts an instance from the command line, as {@link ApplicationProcess} does in a separate JVM. Arguments such
	 * as {@code --server.port=8081} override the defaults.
	 */
	public static void main(String[] args) {
		new SpringApplicationBuilder(CountingApplication.class).web(WebApplicationType.REACTIVE)
			.properties(DEFAULTS.toArray(String[]::new))
			.run(args);
	}

	/**
	 * Gives each instance its own Netty event loops. With the default global resources, closing one instance in a
	 * JVM would stop the servers of the others.
	 */
	@Bean
	ReactorResourceFactory reactorResourceFactory() {
		ReactorResourceFactory factory = new ReactorResourceFactory();
		factory.setUseGlobalResources(false);
		return factory;
	}

	/**
	 * Returns the HTTP port of a running instance.
	 */
	public static int port(ConfigurableApplicationContext context) {
		return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
	}

	/**
	 * Returns how many times the handler of an instance has started.
	 */
	public static long executions(ConfigurableApplicationContext context) {
		return context.getBean(WorkController.class).executions.get();
	}


	/**
	 * The endpoint whose executions are counted.
	 */
	@RestController
	static class WorkController {

		private final AtomicLong executions = new AtomicLong();

		private final String instance;

		private final Duration delay;

		WorkController(@Value("${work.instance:app}") String instance, @Value("${work.delay:0ms}") Duration delay) {
			this.instance = instance;
			this.delay = delay;
		}

		@GetMapping("/work/executions")
		String executions() {
			return Long.toString(this.executions.get());
		}

		@PostMapping("/work")
		Mono<ResponseEntity<String>> work(
				@RequestHeader(name = "Idempotency-Key", required = false) @Nullable String key,
				@RequestParam(required = false) @Nullable Long delayMillis,
				@RequestBody(required = false) @Nullable String body) {
			long execution = this.executions.incrementAndGet();
			Duration wait = (delayMillis != null) ? Duration.ofMillis(delayMillis) : this.delay;
			String result = "key=" + key + " body=" + body + " instance=" + this.instance + " execution=" + execution;
			return Mono.delay(wait)
				.thenReturn(ResponseEntity.status(HttpStatus.CREATED)
					.contentType(MediaType.TEXT_PLAIN)
					.header("X-Execution", Long.toString(execution))
					.body(result));
		}

	}

}

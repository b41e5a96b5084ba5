package io.idempotency.testsupport;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Non-blocking HTTP client for the tests, sending requests to instances on 127.0.0.1 with enough pooled connections
 * for hundreds of concurrent requests.
 */
public final class HttpTestClient implements AutoCloseable {

	private final ConnectionProvider connections;

	private final WebClient webClient;


	/**
	 * Creates a client.
	 * @param maxConnections the maximum number of open connections per instance
	 */
	public HttpTestClient(int maxConnections) {
		this.connections = ConnectionProvider.builder("http-tests")
			.maxConnections(maxConnections)
			.pendingAcquireMaxCount(-1)
			.build();
		this.webClient = WebClient.builder()
			.clientConnector(new ReactorClientHttpConnector(HttpClient.create(this.connections)
				.responseTimeout(Duration.ofSeconds(30))))
			.build();
	}


	/**
	 * Sends {@code POST} with a text body to an instance.
	 * @param port the instance's port
	 * @param path the path and query
	 * @param key the {@code Idempotency-Key}, or {@code null} to send none
	 * @param body the request body
	 * @return the response
	 */
	public Mono<Response> post(int port, String path, @Nullable String key, String body) {
		return this.webClient.post()
			.uri("http://" + RedisServer.HOST + ":" + port + path)
			.headers((headers) -> {
				if (key != null) {
					headers.set("Idempotency-Key", key);
				}
			})
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue(body)
			.exchangeToMono((response) -> response.bodyToMono(String.class)
				.defaultIfEmpty("")
				.map((text) -> new Response(response.statusCode().value(), text, response.headers().asHttpHeaders())));
	}

	/**
	 * Sends {@code GET} and returns the response body, waiting up to 30 seconds on a test thread.
	 */
	public String getAndWait(int port, String path) {
		return this.webClient.get()
			.uri("http://" + RedisServer.HOST + ":" + port + path)
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(30));
	}

	/**
	 * Sends {@code POST} and waits up to 30 seconds for the response, on a test thread.
	 */
	public Response postAndWait(int port, String path, @Nullable String key, String body) {
		return post(port, path, key, body).block(Duration.ofSeconds(30));
	}

	@Override
	public void close() {
		this.connections.dispose();
	}


	/**
	 * A received response.
	 * @param status the status code
	 * @param body the body as text, empty when there was none
	 * @param headers the response headers
	 */
	public record Response(int status, String body, HttpHeaders headers) {

		/**
		 * Returns whether the response was replayed from the store.
		 */
		public boolean isReplayed() {
			return "true".equals(this.headers.getFirst("Idempotent-Replayed"));
		}

		/**
		 * Returns whether the response is an RFC 9457 problem with the given status.
		 */
		public boolean isProblem(int expectedStatus) {
			MediaType contentType = this.headers.getContentType();
			return this.status == expectedStatus && contentType != null
					&& contentType.isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
					&& this.body.contains("\"status\":" + expectedStatus);
		}

	}

}

package io.idempotency.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import io.idempotency.core.IdempotencyKeyStore;
import io.idempotency.testsupport.IdempotencyTestServer;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behaviour of the idempotency filter over real HTTP, run against each key store by a subclass.
 */
public abstract class AbstractIdempotencyBehaviourTests {

	private IdempotencyTestServer server;

	private WebTestClient client;


	/**
	 * Creates a new, empty store for one test.
	 */
	protected abstract IdempotencyKeyStore createStore();

	@BeforeEach
	void startServer() {
		start(IdempotencyPolicy.builder().build(), "/orders");
	}

	@AfterEach
	void stopServer() {
		this.server.close();
	}

	private void start(IdempotencyPolicy policy, String... requiredPaths) {
		if (this.server != null) {
			this.server.close();
		}
		this.server = new IdempotencyTestServer(createStore(), policy, requiredPaths);
		this.client = WebTestClient.bindToServer()
			.baseUrl(this.server.baseUrl())
			.responseTimeout(Duration.ofSeconds(30))
			.build();
	}

	private EntityExchangeResult<byte[]> post(String path, String key, String body) {
		return this.client.post()
			.uri(path)
			.headers((headers) -> {
				if (key != null) {
					headers.add("Idempotency-Key", key);
				}
			})
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectBody()
			.returnResult();
	}

	private static String text(EntityExchangeResult<byte[]> result) {
		byte[] body = result.getResponseBody();
		return (body != null) ? new String(body, StandardCharsets.UTF_8) : "";
	}

	private static String newKey() {
		return UUID.randomUUID().toString();
	}

	private static void assertProblem(EntityExchangeResult<byte[]> result, int status, String type) {
		assertThat(result.getStatus().value()).isEqualTo(status);
		assertThat(result.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(text(result)).contains("\"type\":\"urn:idempotency:problem:" + type + "\"");
		assertThat(text(result)).contains("\"status\":" + status);
		assertThat(text(result)).contains("\"detail\":\"");
		assertThat(result.getResponseHeaders().get(IdempotentExchangeHandler.REPLAYED_HEADER)).isNull();
	}

	// First requests and replays

	@Test
	void firstRequestRunsHandlerAndReturnsItsResponse() {
		String key = newKey();

		EntityExchangeResult<byte[]> result = post("/orders", key, "{\"item\":\"book\"}");

		assertThat(result.getStatus().value()).isEqualTo(201);
		assertThat(result.getResponseHeaders().getLocation()).hasToString("/orders/1");
		assertThat(result.getResponseHeaders().get(IdempotentExchangeHandler.REPLAYED_HEADER)).isNull();
		assertThat(text(result)).contains("\"execution\":1").contains("\"key\":\"" + key + "\"");
		assertThat(this.server.executions("/orders")).isEqualTo(1);
	}

	@Test
	void retryReplaysStoredResponseWithoutRunningHandler() {
		String key = newKey();
		EntityExchangeResult<byte[]> first = post("/orders", key, "{\"item\":\"book\"}");

		EntityExchangeResult<byte[]> retry = post("/orders", key, "{\"item\":\"book\"}");

		assertThat(retry.getStatus().value()).isEqualTo(201);
		assertThat(retry.getResponseBody()).isEqualTo(first.getResponseBody());
		assertThat(retry.getResponseHeaders().getFirst(IdempotentExchangeHandler.REPLAYED_HEADER)).isEqualTo("true");
		assertThat(retry.getResponseHeaders().getLocation()).isEqualTo(first.getResponseHeaders().getLocation());
		assertThat(retry.getResponseHeaders().getETag()).isEqualTo("\"v1\"");
		assertThat(retry.getResponseHeaders().get(HttpHeaders.CONTENT_TYPE)).containsExactly("application/json");
		assertThat(this.server.executions("/orders")).isEqualTo(1);
	}

	@Test
	void quotedAndBareKeyAreSameKey() {
		String key = newKey();
		post("/orders", key, "{}");

		EntityExchangeResult<byte[]> quoted = post("/orders", "\"" + key + "\"", "{}");

		assertThat(quoted.getStatus().value()).isEqualTo(201);
		assertThat(quoted.getResponseHeaders().getFirst(IdempotentExchangeHandler.REPLAYED_HEADER)).isEqualTo("true");
		assertThat(this.server.executions("/orders")).isEqualTo(1);
	}

	@Test
	void requestWithoutKeyRunsEveryTimeOnOptionalPath() {
		this.client.post().uri("/accepted").exchange().expectStatus().isAccepted();
		this.client.post().uri("/accepted").exchange().expectStatus().isAccepted();

		assertThat(this.server.executions("/accepted")).isEqualTo(2);
	}

	@Test
	void methodNotConfiguredPassesUntouched() {
		String key = newKey();

		for (int i = 0; i < 2; i++) {
			this.client.get().uri("/orders").header("Idempotency-Key", key).exchange()
				.expectStatus().isOk()
				.expectHeader().doesNotExist(IdempotentExchangeHandler.REPLAYED_HEADER);
		}

		assertThat(this.server.executions("/orders")).isEqualTo(2);
	}

	@Test
	void patchTakesPartByDefault() {
		String key = newKey();

		this.client.patch().uri("/orders").header("Idempotency-Key", key).bodyValue("{}").exchange();
		this.client.patch().uri("/orders").header("Idempotency-Key", key).bodyValue("{}").exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals(IdempotentExchangeHandler.REPLAYED_HEADER, "true");

		assertThat(this.server.executions("/orders")).isEqualTo(1);
	}

	// Faithful replays

	@Test
	void noContentReplaysWithoutBodyOrContentType() {
		String key = newKey();
		post("/no-content", key, "");

		EntityExchangeResult<byte[]> retry = post("/no-content", key, "");

		assertThat(retry.getStatus().value()).isEqualTo(204);
		assertThat(retry.getResponseBody()).isNullOrEmpty();
		assertThat(retry.getResponseHeaders().getContentType()).isNull();
		assertThat(retry.getResponseHeaders().getFirst(IdempotentExchangeHandler.REPLAYED_HEADER)).isEqualTo("true");
		assertThat(this.server.executions("/no-content")).isEqualTo(1);
	}

	@Test
	void acceptedReplaysWithSameStatusAndBody() {
		String key = newKey();
		post("/accepted", key, "");

		EntityExchangeResult<byte[]> retry = post("/accepted", key, "");

		assertThat(retry.getStatus().value()).isEqualTo(202);
		assertThat(text(retry)).isEqualTo("accepted 1");
		assertThat(this.server.executions("/accepted")).isEqualTo(1);
	}

	@Test
	void clientErrorIsStoredAndReplayed() {
		String key = newKey();
		post("/status/400", key, "");

		EntityExchangeResult<byte[]> retry = post("/status/400", key, "");

		assertThat(retry.getStatus().value()).isEqualTo(400);
		assertThat(text(retry)).isEqualTo("status 400 execution 1");
		assertThat(retry.getResponseHeaders().getFirst(IdempotentExchangeHandler.REPLAYED_HEADER)).isEqualTo("true");
		assertThat(this.server.executions("/status/400")).isEqualTo(1);
	}

	@Test
	void binaryBodyWrittenInManyBuffersReplaysByteForByte() {
		String key = newKey();
		EntityExchangeResult<byte[]> first = post("/binary", key, "");

		EntityExchangeResult<byte[]> retry = post("/binary", key, "");

		assertThat(first.getResponseBody()).isEqualTo(this.server.binaryBody());
		assertThat(retry.getResponseBody()).isEqualTo(this.server.binaryBody());
		assertThat(retry.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_OCTET_STREAM);
		assertThat(retry.getResponseHeaders().getContentLength()).isEqualTo(IdempotencyTestServer.BINARY_SIZE);
		assertThat(this.server.executions("/binary")).isEqualTo(1);
	}

	@Test
	void multiValuedHeadersReplayInOrderWithoutSplitting() {
		String key = newKey();
		post("/headers", key, "");

		EntityExchangeResult<byte[]> retry = post("/headers", key, "");

		HttpHeaders headers = retry.getResponseHeaders();
		assertThat(headers.get("X-Multi")).containsExactly("first", "second, with a comma", "third");
		assertThat(headers.get("Link")).containsExactly("</a>; rel=\"next\", </b>; rel=\"last\"");
		assertThat(headers.get("Cache-Control")).containsExactly("no-cache");
		assertThat(headers.get(HttpHeaders.CONTENT_TYPE)).containsExactly("text/plain");
		assertThat(text(retry)).isEqualTo("headers 1");
	}

	@Test
	void perExchangeHeadersAreNotReplayed() {
		String key = newKey();
		EntityExchangeResult<byte[]> first = post("/headers", key, "");

		EntityExchangeResult<byte[]> retry = post("/headers", key, "");

		assertThat(first.getResponseHeaders().get(HttpHeaders.SET_COOKIE)).isNotNull();
		assertThat(first.getResponseHeaders().get("X-Request-Id")).containsExactly("request-1");
		assertThat(retry.getResponseHeaders().get(HttpHeaders.SET_COOKIE)).isNull();
		assertThat(retry.getResponseHeaders().get("X-Request-Id")).isNull();
		assertThat(retry.getResponseHeaders().get(HttpHeaders.CONTENT_LENGTH)).containsExactly("9");
	}

	@Test
	void includedHeadersLimitWhatIsReplayed() {
		start(IdempotencyPolicy.builder().includedHeaders(List.of("X-Multi")).build());
		String key = newKey();
		post("/headers", key, "");

		EntityExchangeResult<byte[]> retry = post("/headers", key, "");

		assertThat(retry.getResponseHeaders().get("X-Multi")).hasSize(3);
		assertThat(retry.getResponseHeaders().get("Link")).isNull();
		assertThat(retry.getResponseHeaders().get("Cache-Control")).isNull();
		assertThat(retry.getResponseHeaders().getContentType()).isEqualTo(MediaType.TEXT_PLAIN);
	}

	@Test
	void formDataIsReadableByHandlerAndReplayed() {
		String key = newKey();

		EntityExchangeResult<byte[]> first = postForm(key, "item=book&quantity=2");
		EntityExchangeResult<byte[]> retry = postForm(key, "item=book&quantity=2");
		EntityExchangeResult<byte[]> other = postForm(key, "item=book&quantity=3");

		assertThat(text(first)).isEqualTo("book x2 execution 1");
		assertThat(text(retry)).isEqualTo("book x2 execution 1");
		assertThat(retry.getResponseHeaders().getFirst(IdempotentExchangeHandler.REPLAYED_HEADER)).isEqualTo("true");
		assertProblem(other, 422, "key-reused");
		assertThat(this.server.executions("/form")).isEqualTo(1);
	}

	private EntityExchangeResult<byte[]> postForm(String key, String form) {
		return this.client.post()
			.uri("/form")
			.header("Idempotency-Key", key)
			.contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.bodyValue(form)
			.exchange()
			.expectBody()
			.returnResult();
	}

	// Responses that release the key

	@ParameterizedTest
	@ValueSource(ints = { 408, 409, 425, 429, 500, 503 })
	void responseThatIsNotStoredReleasesKey(int status) {
		String key = newKey();
		post("/status/" + status, key, "");

		EntityExchangeResult<byte[]> retry = post("/status/" + status, key, "");

		assertThat(retry.getStatus().value()).isEqualTo(status);
		assertThat(text(retry)).isEqualTo("status " + status + " execution 2");
		assertThat(retry.getResponseHeaders().get(IdempotentExchangeHandler.REPLAYED_HEADER)).isNull();
		assertThat(this.server.executions("/status/" + status)).isEqualTo(2);
	}

	@Test
	void serverErrorIsReplayedWhenConfigured() {
		start(IdempotencyPolicy.builder().storeServerErrors(true).build());
		String key = newKey();
		post("/status/500", key, "");

		EntityExchangeResult<byte[]> retry = post("/status/500", key, "");

		assertThat(retry.getStatus().value()).isEqualTo(500);
		assertThat(retry.getResponseHeaders().getFirst(IdempotentExchangeHandler.REPLAYED_HEADER)).isEqualTo("true");
		assertThat(this.server.executions("/status/500")).isEqualTo(1);
	}

	@Test
	void handlerErrorReleasesKey() {
		String key = newKey();
		EntityExchangeResult<byte[]> first = post("/error", key, "");

		EntityExchangeResult<byte[]> retry = post("/error", key, "");

		assertThat(first.getStatus().value()).isEqualTo(500);
		assertThat(retry.getStatus().value()).isEqualTo(500);
		assertThat(this.server.executions("/error")).isEqualTo(2);
	}

	@Test
	void responseOverMaximumIsReturnedButNotStored() {
		start(IdempotencyPolicy.builder().maxResponseBodySize(1000).build());
		String key = newKey();

		EntityExchangeResult<byte[]> first = post("/large/1001", key, "");
		EntityExchangeResult<byte[]> retry = post("/large/1001", key, "");

		assertThat(first.getStatus().value()).isEqualTo(200);
		assertThat(first.getResponseBody()).hasSize(1001);
		assertThat(retry.getResponseBody()).hasSize(1001);
		assertThat(retry.getResponseHeaders().get(IdempotentExchangeHandler.REPLAYED_HEADER)).isNull();
		assertThat(this.server.executions("/large/1001")).isEqualTo(2);
	}

	@Test
	void responseAtMaximumIsStored() {
		start(IdempotencyPolicy.builder().maxResponseBodySize(1000).build());
		String key = newKey();
		post("/large/1000", key, "");

		EntityExchangeResult<byte[]> retry = post("/large/1000", key, "");

		assertThat(retry.getResponseBody()).hasSize(1000);
		assertThat(retry.getResponseHeaders().getFirst(IdempotentExchangeHandler.REPLAYED_HEADER)).isEqualTo("true");
		assertThat(this.server.executions("/large/1000")).isEqualTo(1);
	}

	// Same key, different request

	@Test
	void sameKeyWithDifferentBodyIsRejected() {
		String key = newKey();
		post("/orders", key, "{\"item\":\"book\"}");

		EntityExchangeResult<byte[]> other = post("/orders", key, "{\"item\":\"pen\"}");

		assertProblem(other, 422, "key-reused");
		assertThat(this.server.executions("/orders")).isEqualTo(1);
	}

	@Test
	void sameKeyWithDifferentPathIsRejected() {
		String key = newKey();
		post("/orders", key, "{}");

		assertProblem(post("/accepted", key, "{}"), 422, "key-reused");
		assertThat(this.server.executions("/accepted")).isZero();
	}

	@Test
	void sameKeyWithDifferentQueryIsRejected() {
		String key = newKey();
		post("/orders?express=false", key, "{}");

		assertProblem(post("/orders?express=true", key, "{}"), 422, "key-reused");
		assertThat(this.server.executions("/orders")).isEqualTo(1);
	}

	@Test
	void sameKeyWithDifferentMethodIsRejected() {
		String key = newKey();
		post("/orders", key, "{}");

		EntityExchangeResult<byte[]> patch = this.client.method(HttpMethod.PATCH).uri("/orders")
			.header("Idempotency-Key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{}")
			.exchange()
			.expectBody()
			.returnResult();

		assertProblem(patch, 422, "key-reused");
	}

	@Test
	void rejectedRequestStoresNothing() {
		String key = newKey();
		EntityExchangeResult<byte[]> original = post("/orders", key, "{\"item\":\"book\"}");
		post("/orders", key, "{\"item\":\"pen\"}");

		EntityExchangeResult<byte[]> againDifferent = post("/orders", key, "{\"item\":\"pen\"}");
		EntityExchangeResult<byte[]> againOriginal = post("/orders", key, "{\"item\":\"book\"}");

		assertProblem(againDifferent, 422, "key-reused");
		assertThat(againOriginal.getResponseBody()).isEqualTo(original.getResponseBody());
		assertThat(this.server.executions("/orders")).isEqualTo(1);
	}

	// Bad input

	@Test
	void missingKeyOnRequiredPathIsRejected() {
		EntityExchangeResult<byte[]> result = post("/orders", null, "{}");

		assertProblem(result, 400, "missing-key");
		assertThat(text(result)).contains("Idempotency-Key");
		assertThat(this.server.executions("/orders")).isZero();
	}

	@ParameterizedTest
	@ValueSource(strings = { "\"\"", "\"unterminated", "\"bad\\escape\"", "\"a\"b", "two words", "tab\tinside" })
	void invalidKeyIsRejected(String key) {
		EntityExchangeResult<byte[]> first = post("/orders", key, "{}");
		EntityExchangeResult<byte[]> retry = post("/orders", key, "{}");

		assertProblem(first, 400, "invalid-key");
		assertProblem(retry, 400, "invalid-key");
		assertThat(retry.getResponseBody()).isEqualTo(first.getResponseBody());
		assertThat(this.server.executions("/orders")).isZero();
	}

	@Test
	void keyWithNonAsciiCharacterIsRejected() {
		EntityExchangeResult<byte[]> result = this.client.post().uri("/orders")
			.header("Idempotency-Key", new String("caf\u00e9".getBytes(StandardCharsets.UTF_8),
					StandardCharsets.ISO_8859_1))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{}")
			.exchange()
			.expectBody()
			.returnResult();

		assertProblem(result, 400, "invalid-key");
		assertThat(text(result)).contains("not visible ASCII");
	}

	@Test
	void keyOverMaximumLengthIsRejected() {
		EntityExchangeResult<byte[]> result = post("/orders", "k".repeat(256), "{}");

		assertProblem(result, 400, "invalid-key");
		assertThat(text(result)).contains("256 characters long, over the maximum of 255");
		assertThat(this.server.executions("/orders")).isZero();
	}

	@Test
	void keyAtMaximumLengthIsAccepted() {
		EntityExchangeResult<byte[]> result = post("/orders", "k".repeat(255), "{}");

		assertThat(result.getStatus().value()).isEqualTo(201);
	}

	@Test
	void keySentTwiceIsRejected() {
		EntityExchangeResult<byte[]> result = this.client.post().uri("/orders")
			.header("Idempotency-Key", "a", "b")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{}")
			.exchange()
			.expectBody()
			.returnResult();

		assertProblem(result, 400, "invalid-key");
		assertThat(text(result)).contains("was sent 2 times");
		assertThat(this.server.executions("/orders")).isZero();
	}

	@Test
	void bodyOverMaximumIsRejected() {
		start(IdempotencyPolicy.builder().maxRequestBodySize(100).build());

		EntityExchangeResult<byte[]> result = post("/orders", newKey(), "{\"item\":\"" + "x".repeat(200) + "\"}");

		assertProblem(result, 413, "request-too-large");
		assertThat(text(result)).contains("at most 100 bytes");
		assertThat(this.server.executions("/orders")).isZero();
	}

	@Test
	void chunkedBodyOverMaximumIsRejected() {
		start(IdempotencyPolicy.builder().maxRequestBodySize(100).build());
		Flux<byte[]> chunks = Flux.range(0, 20).map((i) -> "0123456789".getBytes(StandardCharsets.UTF_8));

		EntityExchangeResult<byte[]> result = this.client.post().uri("/orders")
			.header("Idempotency-Key", newKey())
			.body(chunks, byte[].class)
			.exchange()
			.expectBody()
			.returnResult();

		assertProblem(result, 413, "request-too-large");
		assertThat(this.server.executions("/orders")).isZero();
	}

	// Duplicates in flight

	@Test
	void duplicateInFlightWaitsAndGetsSameResponse() throws Exception {
		String key = newKey();
		CompletableFuture<EntityExchangeResult<byte[]>> owner = CompletableFuture
			.supplyAsync(() -> postSlow("/orders", key, 1000));
		awaitExecutions("/orders", 1);

		EntityExchangeResult<byte[]> duplicate = postSlow("/orders", key, 0);

		assertThat(duplicate.getStatus().value()).isEqualTo(201);
		assertThat(duplicate.getResponseBody()).isEqualTo(owner.get(30, TimeUnit.SECONDS).getResponseBody());
		assertThat(duplicate.getResponseHeaders().getFirst(IdempotentExchangeHandler.REPLAYED_HEADER))
			.isEqualTo("true");
		assertThat(this.server.executions("/orders")).isEqualTo(1);
	}

	@Test
	void duplicateInFlightWithDifferentBodyIsRejectedAtOnce() throws Exception {
		String key = newKey();
		CompletableFuture<EntityExchangeResult<byte[]>> owner = CompletableFuture
			.supplyAsync(() -> postSlow("/orders", key, 1000));
		awaitExecutions("/orders", 1);

		EntityExchangeResult<byte[]> other = post("/orders", key, "{\"other\":true}");

		assertProblem(other, 422, "key-reused");
		assertThat(owner.get(30, TimeUnit.SECONDS).getStatus().value()).isEqualTo(201);
	}

	@Test
	void duplicatePastMaximumWaitGetsConflict() throws Exception {
		start(IdempotencyPolicy.builder()
			.maxWait(Duration.ofMillis(200))
			.conflictRetryAfter(Duration.ofSeconds(3))
			.build(), "/orders");
		String key = newKey();
		CompletableFuture<EntityExchangeResult<byte[]>> owner = CompletableFuture
			.supplyAsync(() -> postSlow("/orders", key, 2000));
		awaitExecutions("/orders", 1);

		EntityExchangeResult<byte[]> duplicate = postSlow("/orders", key, 0);

		assertProblem(duplicate, 409, "request-in-progress");
		assertThat(duplicate.getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("3");
		assertThat(owner.get(30, TimeUnit.SECONDS).getStatus().value()).isEqualTo(201);
		assertThat(postSlow("/orders", key, 0).getResponseHeaders()
			.getFirst(IdempotentExchangeHandler.REPLAYED_HEADER)).isEqualTo("true");
		assertThat(this.server.executions("/orders")).isEqualTo(1);
	}

	@Test
	void duplicateRetriesWhenOwnerReleasesKey() throws Exception {
		String key = newKey();
		CompletableFuture<EntityExchangeResult<byte[]>> owner = CompletableFuture
			.supplyAsync(() -> postSlow("/status/503", key, 500));
		awaitExecutions("/status/503", 1);

		EntityExchangeResult<byte[]> duplicate = postSlow("/status/503", key, 0);

		assertThat(owner.get(30, TimeUnit.SECONDS).getStatus().value()).isEqualTo(503);
		assertThat(duplicate.getStatus().value()).isEqualTo(503);
		assertThat(text(duplicate)).isEqualTo("status 503 execution 2");
		assertThat(this.server.executions("/status/503")).isEqualTo(2);
	}

	@Test
	void duplicateGetsConflictWhenOwnerReleasesKeyAndRejectIsConfigured() throws Exception {
		start(IdempotencyPolicy.builder().releasedWaitAction(IdempotencyPolicy.ReleasedWaitAction.REJECT).build());
		String key = newKey();
		CompletableFuture<EntityExchangeResult<byte[]>> owner = CompletableFuture
			.supplyAsync(() -> postSlow("/status/503", key, 500));
		awaitExecutions("/status/503", 1);

		EntityExchangeResult<byte[]> duplicate = postSlow("/status/503", key, 0);

		assertThat(owner.get(30, TimeUnit.SECONDS).getStatus().value()).isEqualTo(503);
		assertProblem(duplicate, 409, "original-request-failed");
		assertThat(duplicate.getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
		assertThat(this.server.executions("/status/503")).isEqualTo(1);
	}

	// Concurrency

	@Test
	void concurrentRequestsWithOneKeyRunHandlerOnce() {
		String key = newKey();

		List<Response> responses = sendConcurrently(200, (i) -> key);

		assertThat(this.server.executions("/orders")).isEqualTo(1);
		assertThat(responses).hasSize(200);
		assertThat(responses.stream().map(Response::status).collect(Collectors.toSet())).containsExactly(201);
		assertThat(responses.stream().map(Response::body).collect(Collectors.toSet())).hasSize(1);
		assertThat(responses.get(0).body()).contains("\"key\":\"" + key + "\"");
	}

	@Test
	void concurrentRequestsWithDistinctKeysEachRunOnce() {
		List<String> keys = Flux.range(0, 1000).map((i) -> newKey()).collectList().block();

		List<Response> responses = sendConcurrently(1000, keys::get);

		assertThat(this.server.executions("/orders")).isEqualTo(1000);
		assertThat(responses).hasSize(1000);
		for (Response response : responses) {
			assertThat(response.status()).isEqualTo(201);
			assertThat(response.body()).contains("\"key\":\"" + response.key() + "\"");
		}
		Set<String> bodies = responses.stream().map(Response::body).collect(Collectors.toSet());
		assertThat(bodies).hasSize(1000);
	}

	private List<Response> sendConcurrently(int count, IntFunction<String> keys) {
		ConnectionProvider connections = ConnectionProvider.builder("idempotency-tests")
			.maxConnections(count)
			.pendingAcquireMaxCount(-1)
			.build();
		try {
			HttpClient httpClient = HttpClient.create(connections).baseUrl(this.server.baseUrl());
			return Flux.range(0, count)
				.flatMap((i) -> {
					String key = keys.apply(i);
					return httpClient
						.headers((headers) -> headers.add("Idempotency-Key", key)
							.add("Content-Type", "application/json")
							.add("X-Delay-Ms", "50"))
						.post()
						.uri("/orders")
						.send(ByteBufFlux.fromString(Mono.just("{\"item\":\"book\"}")))
						.responseSingle((response, body) -> body.asString().defaultIfEmpty("")
							.map((text) -> new Response(key, response.status().code(), text)));
				}, count)
				.collectList()
				.block(Duration.ofSeconds(60));
		}
		finally {
			connections.disposeLater().block(Duration.ofSeconds(10));
		}
	}

	private EntityExchangeResult<byte[]> postSlow(String path, String key, long delayMillis) {
		return this.client.post()
			.uri(path)
			.header("Idempotency-Key", key)
			.header("X-Delay-Ms", Long.toString(delayMillis))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{}")
			.exchange()
			.expectBody()
			.returnResult();
	}

	private void awaitExecutions(String path, int count) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (this.server.executions(path) < count) {
			assertThat(System.nanoTime()).as("time left for %s to run %d times", path, count).isLessThan(deadline);
			Thread.sleep(10);
		}
	}


	private record Response(String key, int status, String body) {
	}

}

package io.idempotency.store.redis;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Flux;

import io.idempotency.core.IdempotencyKey;
import io.idempotency.testsupport.ApplicationProcess;
import io.idempotency.testsupport.CountingApplication;
import io.idempotency.testsupport.HttpTestClient;
import io.idempotency.testsupport.HttpTestClient.Response;
import io.idempotency.testsupport.RedisServer;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests of two application instances that share one Redis, over real HTTP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisFleetTests {

	private RedisServer redis;

	private ConfigurableApplicationContext first;

	private ConfigurableApplicationContext second;

	private HttpTestClient http;


	@BeforeAll
	void startFleet() {
		this.redis = RedisServer.start();
		this.first = startInstance("first", "work.delay=500ms");
		this.second = startInstance("second", "work.delay=500ms");
		this.http = new HttpTestClient(400);
	}

	@AfterAll
	void stopFleet() {
		this.http.close();
		this.first.close();
		this.second.close();
		this.redis.close();
	}

	@Test
	void concurrentDuplicatesAcrossInstancesRunHandlerOnce() {
		String key = UUID.randomUUID().toString();
		long executionsBefore = executions();
		int[] ports = { CountingApplication.port(this.first), CountingApplication.port(this.second) };

		List<Response> responses = Flux.range(0, 300)
			.flatMap((i) -> this.http.post(ports[i % 2], "/work", key, "same body"), 300)
			.collectList()
			.block(Duration.ofSeconds(60));

		assertThat(executions() - executionsBefore).as("handler executions for one key").isEqualTo(1);
		assertThat(responses).hasSize(300);
		assertThat(responses).extracting(Response::status).containsOnly(201);
		assertThat(responses).extracting(Response::body).containsOnly(responses.get(0).body());
		assertThat(responses.get(0).body()).startsWith("key=" + key + " ");
		assertThat(responses).filteredOn(Response::isReplayed).hasSize(299);
	}

	@Test
	void distinctKeysAcrossInstancesRunOnceEach() {
		long executionsBefore = executions();
		int[] ports = { CountingApplication.port(this.first), CountingApplication.port(this.second) };
		String run = UUID.randomUUID().toString();

		List<Map.Entry<String, Response>> responses = Flux.range(0, 1000)
			.flatMap((i) -> {
				String key = "distinct-" + i + "-" + run;
				return this.http.post(ports[i % 2], "/work?delayMillis=5", key, "body " + i)
					.map((response) -> Map.entry(key, response));
			}, 64)
			.collectList()
			.block(Duration.ofSeconds(120));

		assertThat(executions() - executionsBefore).as("handler executions for 1,000 keys").isEqualTo(1000);
		assertThat(responses).hasSize(1000);
		Set<String> bodies = new HashSet<>();
		for (Map.Entry<String, Response> exchange : responses) {
			assertThat(exchange.getValue().status()).isEqualTo(201);
			assertThat(exchange.getValue().isReplayed()).isFalse();
			assertThat(exchange.getValue().body()).as("response to key %s", exchange.getKey())
				.startsWith("key=" + exchange.getKey() + " ");
			bodies.add(exchange.getValue().body());
		}
		assertThat(bodies).as("distinct response bodies").hasSize(1000);
	}

	@Test
	void clientClosingAfterResponseStillStoresIt() throws IOException {
		int port = CountingApplication.port(this.first);
		String key = UUID.randomUUID().toString();
		String recordKey = "idempotency:{" + new IdempotencyKey("", key).storageId() + "}";
		this.redis.execute("SCRIPT", "FLUSH");

		String response = postAndCloseAfterResponse(port, key, "closing client", () -> {
			// Holds back the complete script, so that the client resets the connection while it waits.
			await().atMost(Duration.ofSeconds(10))
				.until(() -> "in-flight".equals(this.redis.execute("HGET", recordKey, "state")));
			this.redis.execute("CLIENT", "PAUSE", "1000", "WRITE");
		});

		assertThat(response).startsWith("HTTP/1.1 201");
		awaitCompleted(key);
		Response replay = this.http.postAndWait(port, "/work?delayMillis=300", key, "closing client");
		assertThat(replay.isReplayed()).isTrue();
	}

	@Test
	void killedOwnerBlocksRetriesUntilLeaseLapses() {
		ApplicationProcess owner = ApplicationProcess.start(CountingApplication.class,
				instanceProperties("owner", "idempotency.lease=2s", "work.delay=60s"));
		ConfigurableApplicationContext retrier = startInstance("retrier", "idempotency.lease=2s",
				"idempotency.max-wait=100ms");
		try {
			String key = UUID.randomUUID().toString();
			String recordKey = "idempotency:{" + new IdempotencyKey("", key).storageId() + "}";
			this.http.post(owner.port(), "/work", key, "payment").subscribe(null, (ex) -> {
				// The owner is killed while the handler runs, so this exchange ends with a closed connection.
			});
			await().atMost(Duration.ofSeconds(30))
				.until(() -> "1".equals(this.http.getAndWait(owner.port(), "/work/executions")));

			owner.kill();

			assertThat(this.redis.execute("HGET", recordKey, "state")).isEqualTo("in-flight");
			assertThat((Long) this.redis.execute("PTTL", recordKey)).as("PTTL of the killed owner's record")
				.isPositive()
				.isLessThanOrEqualTo(2000);
			List<Response> retries = new ArrayList<>();
			await().atMost(Duration.ofSeconds(15)).pollInterval(200, TimeUnit.MILLISECONDS).until(() -> {
				Response retry = this.http.postAndWait(CountingApplication.port(retrier), "/work", key, "payment");
				retries.add(retry);
				return retry.status() != 409;
			});
			Response replay = this.http.postAndWait(CountingApplication.port(retrier), "/work", key, "payment");

			List<Response> conflicts = retries.subList(0, retries.size() - 1);
			assertThat(conflicts).as("retries while the lease ran").isNotEmpty().allMatch((r) -> r.isProblem(409));
			assertThat(conflicts).allMatch((r) -> r.headers().getFirst("Retry-After") != null);
			Response executed = retries.get(retries.size() - 1);
			assertThat(executed.status()).isEqualTo(201);
			assertThat(executed.isReplayed()).isFalse();
			assertThat(executed.body()).contains("instance=retrier");
			assertThat(CountingApplication.executions(retrier)).as("executions on the retrying instance").isEqualTo(1);
			assertThat(replay.isReplayed()).isTrue();
			assertThat(replay.body()).isEqualTo(executed.body());
		}
		finally {
			owner.close();
			retrier.close();
		}
	}

	/**
	 * Sends {@code POST /work} over a plain socket, runs the given step, and resets the connection as soon as the
	 * whole response has arrived, like a client that closes its connection right after the response, while the
	 * server may still be storing it.
	 */
	private static String postAndCloseAfterResponse(int port, String key, String body, Runnable afterSend)
			throws IOException {
		try (Socket socket = new Socket(RedisServer.HOST, port)) {
			socket.setSoTimeout(30_000);
			socket.setSoLinger(true, 0);
			byte[] content = body.getBytes(StandardCharsets.UTF_8);
			String request = "POST /work?delayMillis=300 HTTP/1.1\r\nHost: " + RedisServer.HOST + ":" + port
					+ "\r\nIdempotency-Key: " + key + "\r\nContent-Type: text/plain\r\nContent-Length: "
					+ content.length + "\r\n\r\n" + body;
			socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
			socket.getOutputStream().flush();
			afterSend.run();
			InputStream input = socket.getInputStream();
			ByteArrayOutputStream received = new ByteArrayOutputStream();
			byte[] block = new byte[8192];
			int expectedSize = -1;
			while (expectedSize < 0 || received.size() < expectedSize) {
				int read = input.read(block);
				if (read < 0) {
					break;
				}
				received.write(block, 0, read);
				String text = received.toString(StandardCharsets.ISO_8859_1);
				int headerEnd = text.indexOf("\r\n\r\n");
				if (expectedSize < 0 && headerEnd >= 0) {
					Matcher length = Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
					expectedSize = headerEnd + 4 + (length.find() ? Integer.parseInt(length.group(1)) : 0);
				}
			}
			return received.toString(StandardCharsets.UTF_8);
		}
	}

	private ConfigurableApplicationContext startInstance(String name, String... properties) {
		return CountingApplication.start(instanceProperties(name, properties));
	}

	/**
	 * Returns the properties of an instance that uses the test's Redis. The command timeout is raised from 1 s to 5
	 * s because other builds share the machine, and a command that times out changes what a test observes.
	 */
	private String[] instanceProperties(String name, String... properties) {
		List<String> all = new ArrayList<>(List.of("work.instance=" + name, "idempotency.store=redis",
				"idempotency.redis.command-timeout=5s", "spring.data.redis.host=" + RedisServer.HOST,
				"spring.data.redis.port=" + this.redis.port()));
		all.addAll(List.of(properties));
		return all.toArray(String[]::new);
	}

	/**
	 * Waits until the record of a key is completed: the client receives the response before the engine stores it.
	 * The wait uses {@code HGETALL}, a command the store never sends.
	 */
	private void awaitCompleted(String key) {
		String recordKey = "idempotency:{" + new IdempotencyKey("", key).storageId() + "}";
		await().atMost(Duration.ofSeconds(10))
			.until(() -> String.valueOf(this.redis.execute("HGETALL", recordKey)).contains("completed"));
	}

	private long executions() {
		return CountingApplication.executions(this.first) + CountingApplication.executions(this.second);
	}


}

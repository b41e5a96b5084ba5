package io.idempotency.benchmarks.load;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import io.idempotency.benchmarks.support.IdempotencyContext;
import io.idempotency.benchmarks.support.OrdersHandler;
import io.idempotency.benchmarks.support.StoreKind;
import io.idempotency.benchmarks.support.WaitRecordingKeyStore;

import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

/**
 * The service process of the load run: {@link OrdersHandler} behind the idempotency filter, or without it, served by
 * reactor-netty on a free port of {@code 127.0.0.1}.
 *
 * <p>Options: {@code --store=none|memory|redis}, {@code --redis-port=N}, {@code --slow-delay-ms=N} for
 * {@code POST /orders/slow}, and {@code --max-lifetime-s=N} after which the process exits by itself. The store is
 * wrapped in a {@link WaitRecordingKeyStore}, which records held-duplicate wake-ups from the first
 * {@code DELETE /stats} on. Once it listens it prints
 * {@value #LISTENING_PREFIX} and the port on one line of standard output.
 */
public final class OrdersService {

	/** Start of the line that gives the load run the port to use. */
	static final String LISTENING_PREFIX = "listening on 127.0.0.1:";

	private OrdersService() {
	}

	public static void main(String[] args) throws InterruptedException {
		StoreKind store = StoreKind.MEMORY;
		int redisPort = 6379;
		Duration slowDelay = Duration.ofMillis(50);
		Duration maxLifetime = Duration.ofMinutes(30);
		for (String arg : args) {
			if (arg.startsWith("--store=")) {
				store = StoreKind.fromId(arg.substring("--store=".length()));
			}
			else if (arg.startsWith("--redis-port=")) {
				redisPort = Integer.parseInt(arg.substring("--redis-port=".length()));
			}
			else if (arg.startsWith("--slow-delay-ms=")) {
				slowDelay = Duration.ofMillis(Long.parseLong(arg.substring("--slow-delay-ms=".length())));
			}
			else if (arg.startsWith("--max-lifetime-s=")) {
				maxLifetime = Duration.ofSeconds(Long.parseLong(arg.substring("--max-lifetime-s=".length())));
			}
			else {
				throw new IllegalArgumentException("Unknown option '" + arg + "'. Use --store, --redis-port, "
						+ "--slow-delay-ms or --max-lifetime-s");
			}
		}

		IdempotencyContext context = (store != StoreKind.NONE) ? IdempotencyContext.start(store, redisPort) : null;
		WaitRecordingKeyStore recorder = (context != null) ? new WaitRecordingKeyStore(context.store()) : null;
		OrdersHandler orders = new OrdersHandler(slowDelay, () -> (recorder != null) ? recorder.statsJson() : "",
				() -> {
					if (recorder != null) {
						recorder.reset();
					}
				});
		WebHttpHandlerBuilder builder = WebHttpHandlerBuilder.webHandler(orders);
		if (context != null) {
			builder.filter(context.filterWith(recorder));
		}
		HttpHandler httpHandler = builder.build();
		DisposableServer server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle(new ReactorHttpHandlerAdapter(httpHandler))
			.bindNow();

		CountDownLatch stopped = new CountDownLatch(1);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			server.disposeNow(Duration.ofSeconds(5));
			if (context != null) {
				context.close();
			}
			stopped.countDown();
		}, "orders-service-stop"));
		System.out.println(LISTENING_PREFIX + server.port());
		System.out.flush();
		if (!stopped.await(maxLifetime.toMillis(), TimeUnit.MILLISECONDS)) {
			System.err.println("Orders service stopping after its maximum lifetime of " + maxLifetime.toSeconds()
					+ " s");
			System.exit(0);
		}
	}

}

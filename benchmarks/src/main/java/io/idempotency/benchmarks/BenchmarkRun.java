package io.idempotency.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.idempotency.benchmarks.load.LoadResults;
import io.idempotency.benchmarks.load.LoadRun;
import io.idempotency.benchmarks.load.LoadSettings;
import io.idempotency.benchmarks.report.JmhSuite;
import io.idempotency.benchmarks.report.Machine;
import io.idempotency.benchmarks.report.ReportWriter;
import io.idempotency.benchmarks.support.RedisServer;
import io.idempotency.benchmarks.support.StoreKind;

/**
 * Runs one benchmark pass: the JMH benchmarks, then the end-to-end load run, then writes
 * {@code results/<pass>.json}, {@code results/<pass>.md} and the chart {@code results/<pass>.png}.
 *
 * <p>Options: {@code --long} for the long pass (quick by default); {@code --stores=none,memory,redis} to choose the
 * stores, where the no-filter baseline always runs and Redis is left out, with the reason recorded, while the
 * library has no Redis store; {@code --skip-jmh} and {@code --skip-load}; {@code --results=DIR} and
 * {@code --work=DIR}; {@code --conditions=TEXT} to describe what else ran on the machine; {@code --render=FILE} to
 * write the chart and Markdown of an earlier results JSON again, without measuring. The pass starts its own
 * redis-server on loopback when Redis is measured, and stops it and every service it started before it returns.
 */
public final class BenchmarkRun {

	private static final String DEFAULT_CONDITIONS = "Not an isolated machine: other builds and tests may have run "
			+ "at the same time. The load client, the services and redis-server share the same cores.";

	private BenchmarkRun() {
	}

	public static void main(String[] args) throws Exception {
		System.setProperty("java.awt.headless", "true");
		boolean full = false;
		boolean runJmh = true;
		boolean runLoad = true;
		List<StoreKind> requested = List.of(StoreKind.values());
		Path results = Path.of("results");
		Path work = Path.of("target", "bench-work");
		String conditions = DEFAULT_CONDITIONS;
		for (String arg : args) {
			if (arg.equals("--long")) {
				full = true;
			}
			else if (arg.equals("--skip-jmh")) {
				runJmh = false;
			}
			else if (arg.equals("--skip-load")) {
				runLoad = false;
			}
			else if (arg.startsWith("--stores=")) {
				requested = new ArrayList<>();
				for (String id : arg.substring("--stores=".length()).split(",")) {
					requested.add(StoreKind.fromId(id));
				}
			}
			else if (arg.startsWith("--results=")) {
				results = Path.of(arg.substring("--results=".length()));
			}
			else if (arg.startsWith("--work=")) {
				work = Path.of(arg.substring("--work=".length()));
			}
			else if (arg.startsWith("--conditions=")) {
				conditions = arg.substring("--conditions=".length());
			}
			else if (arg.startsWith("--render=")) {
				ReportWriter.render(Path.of(arg.substring("--render=".length())));
				return;
			}
			else {
				throw new IllegalArgumentException("Unknown option '" + arg + "'. Use --long, --stores=none,memory,"
						+ "redis, --skip-jmh, --skip-load, --results=DIR, --work=DIR, --conditions=TEXT or "
						+ "--render=FILE");
			}
		}
		String pass = full ? "long" : "quick";
		Files.createDirectories(results);
		Files.createDirectories(work);

		Machine machine = Machine.describe();
		List<StoreKind> stores = new ArrayList<>();
		Map<String, String> notMeasured = new LinkedHashMap<>();
		for (StoreKind store : requested) {
			if (store.isAvailable()) {
				stores.add(store);
			}
			else {
				notMeasured.put(store.id(), store.unavailableReason());
				System.out.println("[run] leaving out " + store.id() + ": " + store.unavailableReason());
			}
		}

		RedisServer redis = stores.contains(StoreKind.REDIS) ? RedisServer.start(work) : null;
		try {
			List<JmhSuite.JmhScore> scores = runJmh
					? new JmhSuite(full, stores, (redis != null) ? redis.port() : null, work).run() : List.of();
			LoadResults load = runLoad
					? new LoadRun(full ? LoadSettings.full() : LoadSettings.quick(), redis, work).run(stores) : null;
			machine = machine.finished((redis != null) ? redis.version() : null);
			ReportWriter.write(pass, machine, conditions, scores, load, notMeasured, results);
		}
		finally {
			if (redis != null) {
				redis.close();
			}
		}
	}

}

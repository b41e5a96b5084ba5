package io.idempotency.benchmarks.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import io.idempotency.benchmarks.jmh.FilterBenchmark;
import io.idempotency.benchmarks.jmh.KeyStoreBenchmark;
import io.idempotency.benchmarks.support.BenchmarkRedis;
import io.idempotency.benchmarks.support.StoreKind;

/**
 * Runs the JMH benchmarks of a pass through the JMH runner, in forked JVMs.
 *
 * <p>The long pass uses the iterations, forks and parameters of the benchmark annotations. The quick pass runs one
 * fork of 5 warm-up and 3 measured iterations of 1 second, with the smallest body size only. Both add JMH's GC
 * profiler, whose bytes allocated per operation depend far less on other load of the machine than the time does.
 */
public final class JmhSuite {

	private final boolean full;

	private final List<StoreKind> stores;

	private final Integer redisPort;

	private final Path workDirectory;


	/**
	 * Creates a suite.
	 * @param full whether to run the long pass
	 * @param stores the stores to measure besides the no-filter baseline
	 * @param redisPort the port of the redis-server the forks use, or {@code null} without Redis
	 * @param workDirectory where JMH's own JSON results are written
	 */
	public JmhSuite(boolean full, List<StoreKind> stores, Integer redisPort, Path workDirectory) {
		this.full = full;
		this.stores = stores;
		this.redisPort = redisPort;
		this.workDirectory = workDirectory;
	}


	/**
	 * Runs {@link FilterBenchmark} and {@link KeyStoreBenchmark}.
	 */
	public List<JmhScore> run() throws RunnerException {
		List<JmhScore> scores = new ArrayList<>();
		List<String> filterStores = new ArrayList<>(List.of(StoreKind.NONE.id()));
		List<String> keyStores = new ArrayList<>();
		for (StoreKind store : this.stores) {
			if (store != StoreKind.NONE) {
				filterStores.add(store.id());
				keyStores.add(store.id());
			}
		}
		ChainedOptionsBuilder filter = options(FilterBenchmark.class, "filter")
			.param("store", filterStores.toArray(String[]::new));
		if (!this.full) {
			filter.param("bodySize", "256");
		}
		scores.addAll(scores(new Runner(filter.build()).run()));
		if (!keyStores.isEmpty()) {
			ChainedOptionsBuilder keyStore = options(KeyStoreBenchmark.class, "key-store")
				.param("store", keyStores.toArray(String[]::new));
			if (!this.full) {
				keyStore.param("responseBodySize", "256");
			}
			scores.addAll(scores(new Runner(keyStore.build()).run()));
		}
		return scores;
	}

	private ChainedOptionsBuilder options(Class<?> benchmark, String name) {
		List<String> jvmArgs = new ArrayList<>(List.of("-Xms1g", "-Xmx1g"));
		if (this.redisPort != null) {
			jvmArgs.add("-D" + BenchmarkRedis.PORT_PROPERTY + "=" + this.redisPort);
		}
		ChainedOptionsBuilder options = new OptionsBuilder().include("\\." + benchmark.getSimpleName() + "\\.")
			.jvmArgsAppend(jvmArgs.toArray(String[]::new))
			.addProfiler(GCProfiler.class)
			.resultFormat(ResultFormatType.JSON)
			.result(this.workDirectory.resolve("jmh-" + name + ".json").toString())
			.shouldFailOnError(true);
		if (!this.full) {
			options.forks(1)
				.warmupIterations(5)
				.warmupTime(TimeValue.seconds(1))
				.measurementIterations(3)
				.measurementTime(TimeValue.seconds(1));
		}
		return options;
	}

	private static List<JmhScore> scores(Collection<RunResult> results) {
		List<JmhScore> scores = new ArrayList<>();
		for (RunResult result : results) {
			String benchmark = result.getParams().getBenchmark();
			Map<String, String> params = new LinkedHashMap<>();
			for (String key : result.getParams().getParamsKeys()) {
				params.put(key, result.getParams().getParam(key));
			}
			Result<?> allocated = result.getSecondaryResults().get("gc.alloc.rate.norm");
			scores.add(new JmhScore(benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1),
					params, result.getPrimaryResult().getScore(), result.getPrimaryResult().getScoreError(),
					result.getPrimaryResult().getScoreUnit(), (allocated != null) ? allocated.getScore() : null));
		}
		return scores;
	}


	/**
	 * One JMH score.
	 *
	 * @param benchmark the class and method, for example {@code FilterBenchmark.handle}
	 * @param params the parameters
	 * @param score the mean time per operation
	 * @param error the half-width of the 99.9% confidence interval, {@code NaN} with too few iterations
	 * @param unit the unit of score and error
	 * @param allocatedBytes bytes allocated per operation, from JMH's GC profiler, or {@code null}
	 */
	public record JmhScore(String benchmark, Map<String, String> params, double score, double error, String unit,
			Double allocatedBytes) {

	}

}

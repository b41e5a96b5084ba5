package io.idempotency.benchmarks.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.idempotency.benchmarks.load.HeldDuplicates;
import io.idempotency.benchmarks.load.LoadResults;
import io.idempotency.benchmarks.load.PhaseSummary;
import io.idempotency.benchmarks.load.StoreLoadResult;

/**
 * Everything one run measured, each figure beside its ratio to the no-filter baseline of the same run, and the
 * targets it is judged against. Written as the results JSON and rendered as the chart and the Markdown table.
 *
 * @param pass {@code quick} or {@code long}
 * @param machine the machine and software
 * @param conditions what else ran on the machine, as the caller states it
 * @param filterCost JMH time per in-process request, by store, request kind and body size
 * @param storeOperations JMH time per key store operation
 * @param load end-to-end throughput and latency by store
 * @param roundTrips Redis commands per request, by probe
 * @param heldDuplicates how long held duplicates wait after the owner's complete call, by store
 * @param targets the targets and whether this run met them
 * @param notMeasured stores left out, with the reason
 * @param loadDetails every figure of the load run, rounds included
 */
public record Report(String pass, Machine machine, String conditions, List<FilterCost> filterCost,
		List<StoreOperation> storeOperations, List<LoadFigure> load, List<StoreLoadResult.RoundTrips> roundTrips,
		List<HeldFigure> heldDuplicates, List<Target> targets, Map<String, String> notMeasured,
		LoadResults loadDetails) {

	/** Inclusive bound of the in-memory store's throughput ratio. */
	static final double MEMORY_THROUGHPUT_TARGET = 0.95;

	/** Inclusive bound of the Redis store's throughput ratio. */
	static final double REDIS_THROUGHPUT_TARGET = 0.8;

	/** Bound of the held duplicates' p99 wake-up after the owner's complete call, in microseconds. */
	static final long HELD_P99_TARGET_MICROS = 2_000;


	/**
	 * Builds the report of a run.
	 */
	static Report build(String pass, Machine machine, String conditions, List<JmhSuite.JmhScore> scores,
			LoadResults load, Map<String, String> notMeasured) {
		List<FilterCost> filterCost = FilterCost.of(scores);
		List<StoreOperation> operations = StoreOperation.of(scores, filterCost);
		List<LoadFigure> loadFigures = LoadFigure.of(load);
		List<StoreLoadResult.RoundTrips> roundTrips = new ArrayList<>();
		List<HeldFigure> held = new ArrayList<>();
		if (load != null) {
			for (StoreLoadResult store : load.stores()) {
				if (store.redis() != null) {
					roundTrips.addAll(store.redis().roundTrips());
				}
				if (store.held() != null) {
					held.add(HeldFigure.of(store.store(), store.held(), load.settings().heldGroups()));
				}
			}
		}
		List<Target> targets = Target.evaluate(loadFigures, roundTrips, held, notMeasured);
		return new Report(pass, machine, conditions, filterCost, operations, loadFigures, roundTrips, held, targets,
				notMeasured, load);
	}

	static Double ratio(Double value, Double baseline) {
		if (value == null || baseline == null || baseline == 0 || Double.isNaN(value)) {
			return null;
		}
		return round(value / baseline, 3);
	}

	static Double round(Double value, int decimals) {
		if (value == null || Double.isNaN(value) || Double.isInfinite(value)) {
			return null;
		}
		double scale = Math.pow(10, decimals);
		return Math.round(value * scale) / scale;
	}


	/**
	 * JMH time per in-process request.
	 *
	 * @param store none, memory or redis
	 * @param request {@code new-key} or {@code replay}
	 * @param bodySize request body size in bytes
	 * @param micros mean time per request in microseconds
	 * @param errorMicros half-width of JMH's 99.9% confidence interval, {@code null} with too few iterations
	 * @param ratioToNoFilter {@code micros} over the no-filter time for the same request kind and body size
	 * @param allocatedBytes bytes allocated per request
	 * @param allocatedRatioToNoFilter {@code allocatedBytes} over the no-filter value
	 */
	public record FilterCost(String store, String request, int bodySize, Double micros, Double errorMicros,
			Double ratioToNoFilter, Double allocatedBytes, Double allocatedRatioToNoFilter) {

		static List<FilterCost> of(List<JmhSuite.JmhScore> scores) {
			List<FilterCost> costs = new ArrayList<>();
			for (JmhSuite.JmhScore score : scores) {
				if (!score.benchmark().startsWith("FilterBenchmark.")) {
					continue;
				}
				String request = score.params().get("request");
				int bodySize = Integer.parseInt(score.params().get("bodySize"));
				JmhSuite.JmhScore baseline = find(scores, "none", request, bodySize);
				Double baselineBytes = (baseline != null) ? baseline.allocatedBytes() : null;
				costs.add(new FilterCost(score.params().get("store"), request, bodySize, round(score.score(), 2),
						round(score.error(), 2), ratio(score.score(), (baseline != null) ? baseline.score() : null),
						round(score.allocatedBytes(), 0), ratio(score.allocatedBytes(), baselineBytes)));
			}
			return costs;
		}

		static JmhSuite.JmhScore find(List<JmhSuite.JmhScore> scores, String store, String request, int bodySize) {
			for (JmhSuite.JmhScore score : scores) {
				if (score.benchmark().startsWith("FilterBenchmark.") && store.equals(score.params().get("store"))
						&& request.equals(score.params().get("request"))
						&& String.valueOf(bodySize).equals(score.params().get("bodySize"))) {
					return score;
				}
			}
			return null;
		}

	}


	/**
	 * JMH time per key store operation.
	 *
	 * @param store memory or redis
	 * @param operation {@code reserve}, {@code reserveThenComplete}, {@code replay}, or {@code complete}, which is
	 * the difference of the first two
	 * @param responseBodySize stored response body size in bytes
	 * @param micros mean time per operation in microseconds
	 * @param errorMicros half-width of JMH's 99.9% confidence interval; for {@code complete}, the sum of both
	 * @param ratioToNoFilterRequest {@code micros} over the time of one whole in-process request without a filter
	 * (new key, smallest body)
	 * @param allocatedBytes bytes allocated per operation
	 */
	public record StoreOperation(String store, String operation, int responseBodySize, Double micros,
			Double errorMicros, Double ratioToNoFilterRequest, Double allocatedBytes) {

		static List<StoreOperation> of(List<JmhSuite.JmhScore> scores, List<FilterCost> filterCost) {
			Double baseline = null;
			for (FilterCost cost : filterCost) {
				if (cost.store().equals("none") && cost.request().equals("new-key")
						&& (baseline == null || cost.bodySize() == 256)) {
					baseline = cost.micros();
				}
			}
			List<StoreOperation> operations = new ArrayList<>();
			for (JmhSuite.JmhScore score : scores) {
				if (!score.benchmark().startsWith("KeyStoreBenchmark.")) {
					continue;
				}
				String operation = score.benchmark().substring("KeyStoreBenchmark.".length());
				String store = score.params().get("store");
				int size = Integer.parseInt(score.params().get("responseBodySize"));
				operations.add(new StoreOperation(store, operation, size, round(score.score(), 2),
						round(score.error(), 2), ratio(score.score(), baseline), round(score.allocatedBytes(), 0)));
				if (operation.equals("reserveThenComplete")) {
					JmhSuite.JmhScore reserve = findOperation(scores, "reserve", store, size);
					if (reserve != null) {
						double complete = score.score() - reserve.score();
						Double completeBytes = (score.allocatedBytes() != null && reserve.allocatedBytes() != null)
								? score.allocatedBytes() - reserve.allocatedBytes() : null;
						operations.add(new StoreOperation(store, "complete", size, round(complete, 2),
								round(score.error() + reserve.error(), 2), ratio(complete, baseline),
								round(completeBytes, 0)));
					}
				}
			}
			return operations;
		}

		private static JmhSuite.JmhScore findOperation(List<JmhSuite.JmhScore> scores, String operation,
				String store, int size) {
			for (JmhSuite.JmhScore score : scores) {
				if (score.benchmark().equals("KeyStoreBenchmark." + operation)
						&& store.equals(score.params().get("store"))
						&& String.valueOf(size).equals(score.params().get("responseBodySize"))) {
					return score;
				}
			}
			return null;
		}

	}


	/**
	 * End-to-end throughput and latency of one store, over all measured rounds.
	 *
	 * @param store none, memory or redis
	 * @param requestsPerSecond requests over the summed wall time of the rounds
	 * @param requestsPerSecondMin the slowest round
	 * @param requestsPerSecondMax the fastest round
	 * @param throughputRatio {@code requestsPerSecond} over the no-filter value
	 * @param p50Micros median latency
	 * @param p50Ratio over the no-filter value
	 * @param p99Micros 99th percentile latency
	 * @param p99Ratio over the no-filter value
	 * @param serviceCpuMicros CPU time of the service process per request
	 * @param redisCpuMicros CPU time of redis-server per request, {@code null} without Redis
	 * @param serverCpuRatio service and redis-server CPU time per request over the no-filter service's
	 * @param failed requests without a response
	 * @param replayed responses with {@code Idempotent-Replayed: true}
	 */
	public record LoadFigure(String store, Double requestsPerSecond, Double requestsPerSecondMin,
			Double requestsPerSecondMax, Double throughputRatio, long p50Micros, Double p50Ratio, long p99Micros,
			Double p99Ratio, Double serviceCpuMicros, Double redisCpuMicros, Double serverCpuRatio, long failed,
			long replayed) {

		static List<LoadFigure> of(LoadResults load) {
			List<LoadFigure> figures = new ArrayList<>();
			if (load == null || load.stores().isEmpty()) {
				return figures;
			}
			PhaseSummary baseline = load.stores().get(0).pooled();
			for (StoreLoadResult store : load.stores()) {
				PhaseSummary pooled = store.pooled();
				double min = store.rounds().stream().mapToDouble(PhaseSummary::requestsPerSecond).min().orElse(0);
				double max = store.rounds().stream().mapToDouble(PhaseSummary::requestsPerSecond).max().orElse(0);
				figures.add(new LoadFigure(store.store(), round(pooled.requestsPerSecond(), 0), round(min, 0),
						round(max, 0), ratio(pooled.requestsPerSecond(), baseline.requestsPerSecond()),
						pooled.latency().p50Micros(),
						ratio((double) pooled.latency().p50Micros(), (double) baseline.latency().p50Micros()),
						pooled.latency().p99Micros(),
						ratio((double) pooled.latency().p99Micros(), (double) baseline.latency().p99Micros()),
						pooled.serviceCpuMicrosPerRequest(), pooled.redisCpuMicrosPerRequest(),
						ratio(serverCpu(pooled), baseline.serviceCpuMicrosPerRequest()), pooled.failed(),
						pooled.replayed()));
			}
			return figures;
		}

		private static Double serverCpu(PhaseSummary phase) {
			if (phase.serviceCpuMicrosPerRequest() == null) {
				return null;
			}
			double redis = (phase.redisCpuMicrosPerRequest() != null) ? phase.redisCpuMicrosPerRequest() : 0;
			return phase.serviceCpuMicrosPerRequest() + redis;
		}

	}


	/**
	 * Held duplicates of one store.
	 *
	 * @param store memory or redis
	 * @param wakeUpP50Micros median time from the owner's complete call to a duplicate's wake-up, in the service
	 * @param wakeUpP99Micros 99th percentile of the same
	 * @param wakeUpMaxMicros largest of the same
	 * @param wakeUps held duplicates that were woken with a stored response
	 * @param finishAfterOwnerP50Micros median of a duplicate's response end minus the owner's, at the client
	 * @param finishAfterOwnerP99Micros 99th percentile of the same
	 * @param keys keys in the phase
	 * @param handlerExecutions requests that ran the handler, equal to {@code keys} when every duplicate was replayed
	 */
	public record HeldFigure(String store, long wakeUpP50Micros, long wakeUpP99Micros, long wakeUpMaxMicros,
			long wakeUps, long finishAfterOwnerP50Micros, long finishAfterOwnerP99Micros, long keys,
			long handlerExecutions) {

		static HeldFigure of(String store, HeldDuplicates held, int keys) {
			return new HeldFigure(store, held.wakeUpAfterComplete().p50Micros(), held.wakeUpAfterComplete().p99Micros(),
					held.wakeUpAfterComplete().maxMicros(), held.wakeUpAfterComplete().count(),
					held.finishAfterOwner().p50Micros(), held.finishAfterOwner().p99Micros(), keys,
					held.handlerExecutions());
		}

	}


	/**
	 * A target and whether the run met it.
	 *
	 * @param name what is judged
	 * @param goal the target
	 * @param measured the figure of this run
	 * @param met {@code true} or {@code false}, or {@code null} when not measured
	 */
	public record Target(String name, String goal, String measured, Boolean met) {

		static List<Target> evaluate(List<LoadFigure> load, List<StoreLoadResult.RoundTrips> roundTrips,
				List<HeldFigure> held, Map<String, String> notMeasured) {
			List<Target> targets = new ArrayList<>();
			targets.add(throughput(load, "memory", MEMORY_THROUGHPUT_TARGET, notMeasured));
			targets.add(throughput(load, "redis", REDIS_THROUGHPUT_TARGET, notMeasured));
			targets.add(roundTrips(roundTrips, "new key", 2));
			targets.add(roundTrips(roundTrips, "replay", 1));
			for (String store : List.of("memory", "redis")) {
				HeldFigure figure = held.stream().filter((h) -> h.store().equals(store)).findFirst().orElse(null);
				String name = "Held duplicate p99 wake-up after the owner's complete, " + store;
				String goal = "<= " + HELD_P99_TARGET_MICROS + " us";
				targets.add((figure != null)
						? new Target(name, goal, figure.wakeUpP99Micros() + " us",
								figure.wakeUpP99Micros() <= HELD_P99_TARGET_MICROS)
						: new Target(name, goal, notMeasured(store, notMeasured), null));
			}
			return targets;
		}

		private static Target throughput(List<LoadFigure> load, String store, double bound,
				Map<String, String> notMeasured) {
			String name = "Throughput of " + store + " over no filter, 64 connections";
			String goal = ">= " + bound;
			for (LoadFigure figure : load) {
				if (figure.store().equals(store) && figure.throughputRatio() != null) {
					return new Target(name, goal, String.valueOf(figure.throughputRatio()),
							figure.throughputRatio() >= bound);
				}
			}
			return new Target(name, goal, notMeasured(store, notMeasured), null);
		}

		private static Target roundTrips(List<StoreLoadResult.RoundTrips> roundTrips, String probe, int bound) {
			String name = "Redis round trips per " + probe + " request";
			for (StoreLoadResult.RoundTrips figure : roundTrips) {
				if (figure.probe().equals(probe)) {
					return new Target(name, "<= " + bound, String.valueOf(round(figure.perRequest(), 2)),
							figure.perRequest() <= bound + 0.01);
				}
			}
			return new Target(name, "<= " + bound, "not measured: Redis store not run", null);
		}

		private static String notMeasured(String store, Map<String, String> notMeasured) {
			return "not measured: " + notMeasured.getOrDefault(store, "store not run");
		}

	}

}

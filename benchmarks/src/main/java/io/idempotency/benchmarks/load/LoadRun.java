package io.idempotency.benchmarks.load;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.idempotency.benchmarks.support.CpuTime;
import io.idempotency.benchmarks.support.OrdersHandler;
import io.idempotency.benchmarks.support.RedisServer;
import io.idempotency.benchmarks.support.StoreKind;

/**
 * The end-to-end load run: one service process per store on {@code 127.0.0.1}, loaded in turn by a reactor-netty
 * client on a fixed number of connections with the same sequence of requests.
 *
 * <p>The run first warms up every service. Then it runs the measured rounds, each store once per round in a rotating
 * order, so that drift of the machine's load spreads over all stores. For Redis it counts the commands of new keys
 * and of replays with {@code MONITOR}. Last, for each store with a filter, it measures held duplicates on a second
 * service that records wake-ups. Every service and the client run on the same machine and share its cores.
 */
public final class LoadRun {

	private static final List<String> SERVICE_JVM_OPTIONS = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC");

	/** Largest share of the service's CPU time that its JIT compiler threads use in a compiled warm-up chunk. */
	private static final double WARMUP_COMPILER_SHARE = 0.03;

	/** Without {@code /proc}: largest spread of CPU time per request across the last 3 warm-up chunks. */
	private static final double WARMUP_SETTLED_SPREAD = 0.1;

	private final LoadSettings settings;

	private final RedisServer redis;

	private final Path workDirectory;

	private final JsonMapper json = JsonMapper.builder().build();


	/**
	 * Creates a run.
	 * @param settings the sizes of the run
	 * @param redis the redis-server for the Redis store, or {@code null} when Redis is left out
	 * @param workDirectory where service logs and monitor output are written
	 */
	public LoadRun(LoadSettings settings, RedisServer redis, Path workDirectory) {
		this.settings = settings;
		this.redis = redis;
		this.workDirectory = workDirectory;
	}


	/**
	 * Runs the load for the given stores and stops every process it started.
	 * @param stores the stores to measure; {@link StoreKind#NONE} is always measured first, as the baseline
	 */
	public LoadResults run(List<StoreKind> stores) throws IOException, InterruptedException {
		List<StoreKind> measured = new ArrayList<>();
		measured.add(StoreKind.NONE);
		Map<String, String> notMeasured = new LinkedHashMap<>();
		for (StoreKind store : stores) {
			if (store == StoreKind.NONE) {
				continue;
			}
			if (!store.isAvailable()) {
				notMeasured.put(store.id(), store.unavailableReason());
			}
			else if (store == StoreKind.REDIS && this.redis == null) {
				notMeasured.put(store.id(), "no redis-server was started");
			}
			else {
				measured.add(store);
			}
		}
		Map<StoreKind, ServiceProcess> services = new EnumMap<>(StoreKind.class);
		Map<StoreKind, LoadClient> clients = new EnumMap<>(StoreKind.class);
		try {
			for (StoreKind store : measured) {
				services.put(store, startService(store));
				clients.put(store, new LoadClient(services.get(store).port(), this.settings.connections(),
						this.settings.bodySize()));
			}
			List<StoreLoadResult> results = new ArrayList<>();
			Map<StoreKind, Rounds> rounds = runRounds(measured, services, clients);
			for (StoreKind store : measured) {
				Rounds storeRounds = rounds.get(store);
				List<StoreLoadResult.RoundTrips> roundTrips = new ArrayList<>();
				if (store == StoreKind.REDIS) {
					roundTrips.addAll(probeRoundTrips(clients.get(store)));
				}
				HeldDuplicates held = (store != StoreKind.NONE) ? measureHeld(store, clients.get(store), roundTrips)
						: null;
				StoreLoadResult.RedisUsage redisUsage = null;
				if (store == StoreKind.REDIS) {
					redisUsage = new StoreLoadResult.RedisUsage(
							(double) storeRounds.commandCallsTotal() / storeRounds.requests(),
							storeRounds.commandCalls, roundTrips);
				}
				results.add(new StoreLoadResult(store.id(), storeRounds.warmUp, storeRounds.pooled(),
						storeRounds.summaries, redisUsage, held));
			}
			return new LoadResults(this.settings, results, notMeasured);
		}
		finally {
			clients.values().forEach(LoadClient::close);
			services.values().forEach(ServiceProcess::close);
		}
	}

	private Map<StoreKind, Rounds> runRounds(List<StoreKind> stores, Map<StoreKind, ServiceProcess> services,
			Map<StoreKind, LoadClient> clients) throws IOException, InterruptedException {
		Map<StoreKind, Rounds> rounds = new EnumMap<>(StoreKind.class);
		stores.forEach((store) -> rounds.put(store, new Rounds()));
		for (StoreKind store : stores) {
			rounds.get(store).warmUp = warmUp(store, services.get(store), clients.get(store));
		}
		for (int round = 0; round < this.settings.rounds(); round++) {
			// The same plan for every store in a round, with keys of its own per store.
			long seed = 100 + round;
			for (int i = 0; i < stores.size(); i++) {
				StoreKind store = stores.get((i + round) % stores.size());
				List<LoadPhases.PlannedRequest> plan = LoadPhases.planMix("round" + round + "-" + store.id(),
						this.settings.requests(), this.settings.mix(), seed);
				Map<String, Long> before = (store == StoreKind.REDIS) ? this.redis.commandCalls() : Map.of();
				Rounds storeRounds = rounds.get(store);
				long serviceCpu = services.get(store).cpuNanos();
				long redisCpu = (store == StoreKind.REDIS) ? this.redis.cpuNanos() : 0;
				PhaseSummary summary = phases(clients.get(store)).run("round " + (round + 1), plan,
						storeRounds.total);
				serviceCpu = services.get(store).cpuNanos() - serviceCpu;
				Long redisCpuUsed = (store == StoreKind.REDIS) ? this.redis.cpuNanos() - redisCpu : null;
				summary = summary.withCpu(serviceCpu, redisCpuUsed);
				if (store == StoreKind.REDIS) {
					storeRounds.addCommandCalls(before, this.redis.commandCalls());
				}
				storeRounds.add(summary, serviceCpu, redisCpuUsed);
				log(String.format("round %d %-6s %8.0f requests/s, p50 %d us, p99 %d us, service CPU %.1f us per "
						+ "request, failed %d", round + 1, store.id(), summary.requestsPerSecond(),
						summary.latency().p50Micros(), summary.latency().p99Micros(),
						summary.serviceCpuMicrosPerRequest(), summary.failed()));
			}
		}
		return rounds;
	}

	/**
	 * Sends warm-up chunks until the JIT compiler threads of the service used at most
	 * {@value #WARMUP_COMPILER_SHARE} of its CPU time in each of the last 2 chunks, so that the request path is
	 * compiled before the measured rounds. Without {@code /proc}, the CPU time per request of the last 3 chunks must
	 * agree within {@value #WARMUP_SETTLED_SPREAD} instead. The number of chunks is bounded both ways.
	 * @return the service CPU time per request of each chunk, in microseconds
	 */
	private List<Double> warmUp(StoreKind store, ServiceProcess service, LoadClient client) {
		List<Double> cpuPerRequest = new ArrayList<>();
		List<Double> compilerShares = new ArrayList<>();
		int chunkRequests = this.settings.warmupChunkRequests();
		for (int chunk = 0; chunk < this.settings.maxWarmupChunks(); chunk++) {
			long cpuBefore = service.cpuNanos();
			long[] ticksBefore = CpuTime.compilerAndTotalTicks(service.pid());
			phases(client).run("warm-up", LoadPhases.planMix("warmup-" + store.id() + "-" + chunk, chunkRequests,
					this.settings.mix(), chunk), null);
			long[] ticksAfter = CpuTime.compilerAndTotalTicks(service.pid());
			double micros = (service.cpuNanos() - cpuBefore) / 1000.0 / chunkRequests;
			cpuPerRequest.add(Math.round(micros * 10) / 10.0);
			if (ticksBefore != null && ticksAfter != null) {
				long total = Math.max(1, ticksAfter[1] - ticksBefore[1]);
				compilerShares.add((double) (ticksAfter[0] - ticksBefore[0]) / total);
			}
			boolean settled = (compilerShares.size() == cpuPerRequest.size()) ? isCompiled(compilerShares)
					: isSettled(cpuPerRequest);
			if (cpuPerRequest.size() >= this.settings.minWarmupChunks() && settled) {
				break;
			}
		}
		log(String.format("warmed up %s with %d requests; service CPU us per request by chunk: %s; JIT compiler "
				+ "share of it by chunk: %s", store.id(), cpuPerRequest.size() * chunkRequests, cpuPerRequest,
				compilerShares.stream().map((share) -> Math.round(share * 100) + "%").toList()));
		return cpuPerRequest;
	}

	private static boolean isCompiled(List<Double> compilerShares) {
		int count = compilerShares.size();
		return count >= 2 && compilerShares.get(count - 1) <= WARMUP_COMPILER_SHARE
				&& compilerShares.get(count - 2) <= WARMUP_COMPILER_SHARE;
	}

	private static boolean isSettled(List<Double> cpuPerRequest) {
		if (cpuPerRequest.size() < 3) {
			return false;
		}
		List<Double> last = cpuPerRequest.subList(cpuPerRequest.size() - 3, cpuPerRequest.size());
		double min = last.stream().mapToDouble(Double::doubleValue).min().orElse(0);
		double max = last.stream().mapToDouble(Double::doubleValue).max().orElse(0);
		return max - min <= WARMUP_SETTLED_SPREAD * min;
	}

	private List<StoreLoadResult.RoundTrips> probeRoundTrips(LoadClient client)
			throws IOException, InterruptedException {
		List<LoadPhases.PlannedRequest> newKeys = new ArrayList<>();
		List<LoadPhases.PlannedRequest> replays = new ArrayList<>();
		for (int i = 0; i < this.settings.probeRequests(); i++) {
			newKeys.add(new LoadPhases.PlannedRequest(RequestKind.NEW_KEY, "probe-" + i));
			replays.add(new LoadPhases.PlannedRequest(RequestKind.REPLAY, "probe-" + i));
		}
		List<StoreLoadResult.RoundTrips> probes = new ArrayList<>();
		probes.add(probe("new key", client, newKeys));
		probes.add(probe("replay", client, replays));
		return probes;
	}

	private StoreLoadResult.RoundTrips probe(String name, LoadClient client, List<LoadPhases.PlannedRequest> plan)
			throws IOException, InterruptedException {
		RedisServer.Monitor monitor = this.redis.monitor(monitorFile(name));
		PhaseSummary summary = phases(client).run("probe " + name, plan, null);
		Map<String, Long> commands = monitor.stopAndCountClientCommands();
		StoreLoadResult.RoundTrips roundTrips = roundTrips(name, summary.requests(), commands);
		log(String.format("redis %-7s %.2f commands per request %s", name, roundTrips.perRequest(), commands));
		return roundTrips;
	}

	/**
	 * Measures held duplicates on the store's service, warm from the rounds, after turning on its wake-up recording.
	 * For Redis, {@code MONITOR} counts the commands of the warm-up, which has the same pattern, so that the measured
	 * phase runs without it.
	 * @param roundTrips where the Redis command count of the pattern is added
	 */
	private HeldDuplicates measureHeld(StoreKind store, LoadClient client, List<StoreLoadResult.RoundTrips> roundTrips)
			throws IOException, InterruptedException {
		LoadPhases phases = phases(client);
		int groups = this.settings.heldGroups();
		int duplicates = this.settings.heldDuplicates();
		log("held duplicates " + store.id() + ": warming up");
		client.exchange("DELETE", OrdersHandler.STATS_PATH);
		RedisServer.Monitor monitor = (store == StoreKind.REDIS) ? this.redis.monitor(monitorFile("held")) : null;
		HeldDuplicates.Measured warmUp = phases.runHeld("held warm-up", "held-warmup", Math.max(1, groups / 4),
				duplicates, this.settings.heldLag());
		if (monitor != null) {
			Map<String, Long> commands = monitor.stopAndCountClientCommands();
			StoreLoadResult.RoundTrips held = roundTrips("owner and " + duplicates + " held duplicates",
					warmUp.phase().requests(), commands);
			roundTrips.add(held);
			log(String.format("redis held    %.2f commands per request %s", held.perRequest(), commands));
		}
		client.exchange("DELETE", OrdersHandler.STATS_PATH);
		HeldDuplicates.Measured measured = phases.runHeld("held duplicates", "held", groups, duplicates,
				this.settings.heldLag());
		JsonNode stats = this.json.readTree(client.exchange("GET", OrdersHandler.STATS_PATH));
		LatencySummary wakeUps = new LatencySummary(stats.get("wakeUps").asLong(), 0,
				stats.get("wakeUpP50Micros").asLong(), 0, stats.get("wakeUpP99Micros").asLong(), 0,
				stats.get("wakeUpMaxMicros").asLong());
		HeldDuplicates held = new HeldDuplicates(measured.phase(), wakeUps, measured.finishAfterOwner(),
				stats.get("wakeUpsWithoutComplete").asLong(), measured.groupsNotReplayed(),
				stats.get("executions").asLong());
		log(String.format("held %-6s wake-up after complete p50 %d us p99 %d us; client finish after owner "
				+ "p50 %d us p99 %d us; handler ran %d times for %d keys", store.id(), wakeUps.p50Micros(),
				wakeUps.p99Micros(), held.finishAfterOwner().p50Micros(), held.finishAfterOwner().p99Micros(),
				held.handlerExecutions(), groups));
		return held;
	}

	private static StoreLoadResult.RoundTrips roundTrips(String name, long requests, Map<String, Long> commands) {
		long total = commands.values().stream().mapToLong(Long::longValue).sum();
		return new StoreLoadResult.RoundTrips(name, requests, total, (double) total / requests, commands);
	}

	private ServiceProcess startService(StoreKind store) throws IOException, InterruptedException {
		List<String> options = new ArrayList<>(List.of("--store=" + store.id(),
				"--slow-delay-ms=" + this.settings.slowDelay().toMillis(),
				"--max-lifetime-s=" + 3 * this.settings.maxPhaseDuration().toSeconds() * (this.settings.rounds() + 4)));
		if (this.redis != null) {
			options.add("--redis-port=" + this.redis.port());
		}
		String name = "service-" + store.id() + ".log";
		ServiceProcess service = ServiceProcess.start(SERVICE_JVM_OPTIONS, options, this.workDirectory.resolve(name));
		log("started " + store.id() + " service, pid "
				+ service.pid() + ", port " + service.port());
		return service;
	}

	private LoadPhases phases(LoadClient client) {
		return new LoadPhases(client, this.settings.maxPhaseDuration());
	}

	private Path monitorFile(String probe) {
		return this.workDirectory.resolve("redis-monitor-" + probe.replace(' ', '-') + ".txt");
	}

	private static void log(String message) {
		System.out.println("[load] " + message);
	}


	/**
	 * The measured rounds of one store.
	 */
	private static final class Rounds {

		private final PhaseRecorder total = new PhaseRecorder();

		private final List<PhaseSummary> summaries = new ArrayList<>();

		private List<Double> warmUp = List.of();

		private final Map<String, Long> commandCalls = new TreeMap<>();

		private double seconds;

		private long serviceCpuNanos;

		private Long redisCpuNanos;

		void add(PhaseSummary summary, long serviceCpuNanos, Long redisCpuNanos) {
			this.summaries.add(summary);
			this.seconds += summary.seconds();
			this.serviceCpuNanos += serviceCpuNanos;
			if (redisCpuNanos != null) {
				this.redisCpuNanos = ((this.redisCpuNanos != null) ? this.redisCpuNanos : 0) + redisCpuNanos;
			}
		}

		void addCommandCalls(Map<String, Long> before, Map<String, Long> after) {
			after.forEach((command, calls) -> {
				long delta = calls - before.getOrDefault(command, 0L);
				if (delta > 0 && !command.equals("info")) {
					this.commandCalls.merge(command, delta, Long::sum);
				}
			});
		}

		long commandCallsTotal() {
			return this.commandCalls.values().stream().mapToLong(Long::longValue).sum();
		}

		long requests() {
			return this.summaries.stream().mapToLong(PhaseSummary::requests).sum();
		}

		PhaseSummary pooled() {
			return this.total.summarize("all rounds", (long) (this.seconds * 1e9))
				.withCpu(this.serviceCpuNanos, this.redisCpuNanos);
		}

	}

}

package io.idempotency.benchmarks.load;

import java.util.List;
import java.util.Map;

/**
 * The load run's figures for one store.
 *
 * @param store the store id: none, memory or redis
 * @param warmUpCpuMicros the service CPU time per request of each warm-up chunk, in microseconds
 * @param pooled all measured rounds together: requests over their summed wall time, and latencies of all requests
 * @param rounds each measured round
 * @param redis Redis usage, or {@code null} for the stores that do not use Redis
 * @param held the held-duplicate phase, or {@code null} without a filter
 */
public record StoreLoadResult(String store, List<Double> warmUpCpuMicros, PhaseSummary pooled, List<PhaseSummary> rounds, RedisUsage redis,
		HeldDuplicates held) {

	/**
	 * Redis commands per request.
	 *
	 * @param commandsPerRequest {@code INFO commandstats} calls during the measured rounds over their requests;
	 * commands run inside Lua scripts count too, so this is more than the round trips when scripts call commands
	 * @param commandCalls the {@code INFO commandstats} calls during the measured rounds, by command
	 * @param roundTrips commands sent by clients, counted with {@code MONITOR}, in probes of one request kind each
	 */
	public record RedisUsage(double commandsPerRequest, Map<String, Long> commandCalls, List<RoundTrips> roundTrips) {

	}


	/**
	 * The commands that the service sent to Redis during one probe, each a request and its reply.
	 *
	 * @param probe what was sent: new keys, replays, or owners with held duplicates
	 * @param requests HTTP requests in the probe
	 * @param commands commands sent by the service
	 * @param perRequest {@code commands / requests}
	 * @param byCommand commands by name
	 */
	public record RoundTrips(String probe, long requests, long commands, double perRequest,
			Map<String, Long> byCommand) {

	}

}

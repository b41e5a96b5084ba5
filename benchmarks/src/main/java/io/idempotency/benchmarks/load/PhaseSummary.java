package io.idempotency.benchmarks.load;

import java.util.Map;

/**
 * The outcome of one load phase.
 *
 * @param name the phase name
 * @param requests the number of requests sent
 * @param seconds the wall time from the first request sent to the last response read
 * @param requestsPerSecond {@code requests / seconds}
 * @param latency the latency of every request that got a response
 * @param latencyByKind the latency by {@linkplain RequestKind request kind}
 * @param statuses the number of responses by HTTP status
 * @param replayed the number of responses with {@code Idempotent-Replayed: true}
 * @param failed the number of requests that got no response
 * @param firstFailure the first failure, or {@code null}
 */
public record PhaseSummary(String name, long requests, double seconds, double requestsPerSecond,
		LatencySummary latency, Map<String, LatencySummary> latencyByKind, Map<String, Long> statuses, long replayed,
		long failed, String firstFailure) {

}

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
 * @param serviceCpuMicrosPerRequest CPU time of the service process (user and system, all threads) over the phase,
 * per request, or {@code null} when not measured
 * @param redisCpuMicrosPerRequest CPU time of the redis-server process per request, or {@code null} when Redis was
 * not used
 */
public record PhaseSummary(String name, long requests, double seconds, double requestsPerSecond,
		LatencySummary latency, Map<String, LatencySummary> latencyByKind, Map<String, Long> statuses, long replayed,
		long failed, String firstFailure, Double serviceCpuMicrosPerRequest, Double redisCpuMicrosPerRequest) {

	/**
	 * Returns a copy with the CPU time that the service and redis-server used during the phase.
	 * @param serviceCpuNanos the service's CPU time in nanoseconds
	 * @param redisCpuNanos redis-server's CPU time in nanoseconds, or {@code null} without Redis
	 */
	PhaseSummary withCpu(long serviceCpuNanos, Long redisCpuNanos) {
		return new PhaseSummary(this.name, this.requests, this.seconds, this.requestsPerSecond, this.latency,
				this.latencyByKind, this.statuses, this.replayed, this.failed, this.firstFailure,
				perRequestMicros(serviceCpuNanos), (redisCpuNanos != null) ? perRequestMicros(redisCpuNanos) : null);
	}

	private double perRequestMicros(long nanos) {
		return Math.round(nanos / 1000.0 / this.requests * 100) / 100.0;
	}

}

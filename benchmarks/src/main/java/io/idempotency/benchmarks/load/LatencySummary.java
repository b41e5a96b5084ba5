package io.idempotency.benchmarks.load;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of a latency histogram recorded in microseconds.
 *
 * @param count the number of recorded values
 * @param meanMicros the mean
 * @param p50Micros the median
 * @param p90Micros the 90th percentile
 * @param p99Micros the 99th percentile
 * @param p999Micros the 99.9th percentile
 * @param maxMicros the largest value
 */
public record LatencySummary(long count, double meanMicros, long p50Micros, long p90Micros, long p99Micros,
		long p999Micros, long maxMicros) {

	static LatencySummary of(Histogram micros) {
		if (micros.getTotalCount() == 0) {
			return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
		}
		return new LatencySummary(micros.getTotalCount(), micros.getMean(), micros.getValueAtPercentile(50),
				micros.getValueAtPercentile(90), micros.getValueAtPercentile(99), micros.getValueAtPercentile(99.9),
				micros.getMaxValue());
	}

}

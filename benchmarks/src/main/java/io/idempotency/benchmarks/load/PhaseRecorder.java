package io.idempotency.benchmarks.load;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Collects the outcomes of one load phase: latency histograms in microseconds, overall and by request kind, status
 * counts, replayed responses and failures.
 */
final class PhaseRecorder {

	private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(1);

	private final Histogram all = newHistogram();

	private final Map<RequestKind, Histogram> byKind = new EnumMap<>(RequestKind.class);

	private final ConcurrentHashMap<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();

	private final AtomicLong replayed = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private volatile String firstFailure;


	PhaseRecorder() {
		for (RequestKind kind : RequestKind.values()) {
			this.byKind.put(kind, newHistogram());
		}
	}


	void record(RequestKind kind, LoadClient.Outcome outcome) {
		if (outcome.error() != null) {
			this.failed.incrementAndGet();
			if (this.firstFailure == null) {
				this.firstFailure = outcome.error().toString();
			}
			return;
		}
		long micros = TimeUnit.NANOSECONDS.toMicros(outcome.latencyNanos());
		this.all.recordValue(Math.min(micros, HIGHEST_MICROS));
		this.byKind.get(kind).recordValue(Math.min(micros, HIGHEST_MICROS));
		this.statuses.computeIfAbsent(outcome.status(), (status) -> new AtomicLong()).incrementAndGet();
		if (outcome.replayed()) {
			this.replayed.incrementAndGet();
		}
	}

	Histogram histogram() {
		return this.all;
	}

	/**
	 * Summarises the phase.
	 * @param name the phase name
	 * @param elapsedNanos the wall time from the first request sent to the last response read
	 */
	PhaseSummary summarize(String name, long elapsedNanos) {
		long requests = this.all.getTotalCount() + this.failed.get();
		double seconds = elapsedNanos / 1e9;
		Map<String, LatencySummary> kinds = new TreeMap<>();
		this.byKind.forEach((kind, histogram) -> {
			if (histogram.getTotalCount() > 0) {
				kinds.put(kind.id(), LatencySummary.of(histogram));
			}
		});
		Map<String, Long> statusCounts = new TreeMap<>();
		this.statuses.forEach((status, count) -> statusCounts.put(String.valueOf(status), count.get()));
		return new PhaseSummary(name, requests, seconds, requests / seconds, LatencySummary.of(this.all), kinds,
				statusCounts, this.replayed.get(), this.failed.get(), this.firstFailure, null, null);
	}

	static Histogram newHistogram() {
		return new ConcurrentHistogram(HIGHEST_MICROS, 3);
	}

}

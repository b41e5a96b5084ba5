package io.idempotency.benchmarks.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import io.idempotency.benchmarks.support.OrdersHandler;

/**
 * The request patterns of the load run. Each phase sends a fixed number of requests with at most one request per
 * connection in flight, and fails when it has not finished within its maximum duration.
 */
final class LoadPhases {

	/** Replays pick a key at least this many requests old, so that its response is almost surely stored. */
	private static final int REPLAY_MIN_AGE = 256;

	/**
	 * Replays pick among this many of the newest stored keys, well inside the in-memory store's default bound of
	 * 10,000 responses, so that a replay is not turned into a new key by eviction.
	 */
	private static final int REPLAY_WINDOW = 4_000;

	private final LoadClient client;

	private final Duration maxDuration;


	LoadPhases(LoadClient client, Duration maxDuration) {
		this.client = client;
		this.maxDuration = maxDuration;
	}


	/**
	 * Plans a mix of new keys, replays and pairs of concurrent duplicates on {@code POST /orders}.
	 * @param keyPrefix a prefix unique to the phase, so that no key repeats across phases
	 * @param requests the number of requests
	 * @param mix the shares of each kind
	 * @param seed the seed of the random choice of kinds, so that every store gets the same sequence
	 */
	static List<PlannedRequest> planMix(String keyPrefix, int requests, RequestMix mix, long seed) {
		Random random = new Random(seed);
		List<PlannedRequest> plan = new ArrayList<>(requests + 1);
		List<String> newKeys = new ArrayList<>(requests);
		int sequence = 0;
		while (plan.size() < requests) {
			double draw = random.nextDouble();
			int replayable = newKeys.size() - REPLAY_MIN_AGE;
			if (draw < mix.newKey() || (draw < mix.newKey() + mix.replay() && replayable <= 0)) {
				String key = keyPrefix + "-" + sequence++;
				newKeys.add(key);
				plan.add(new PlannedRequest(RequestKind.NEW_KEY, key));
			}
			else if (draw < mix.newKey() + mix.replay()) {
				int oldest = Math.max(0, replayable - REPLAY_WINDOW);
				String key = newKeys.get(oldest + random.nextInt(replayable - oldest));
				plan.add(new PlannedRequest(RequestKind.REPLAY, key));
			}
			else {
				String key = keyPrefix + "-" + sequence++;
				newKeys.add(key);
				plan.add(new PlannedRequest(RequestKind.CONCURRENT_DUPLICATE, key));
				plan.add(new PlannedRequest(RequestKind.CONCURRENT_DUPLICATE, key));
			}
		}
		return plan;
	}

	/**
	 * Sends the planned requests to {@code POST /orders}, keeping every connection busy.
	 * @param total a recorder that collects the outcomes of several phases, or {@code null}
	 */
	PhaseSummary run(String name, List<PlannedRequest> plan, PhaseRecorder total) {
		PhaseRecorder recorder = new PhaseRecorder();
		long startedAt = System.nanoTime();
		Flux.fromIterable(plan)
			.flatMap((planned) -> this.client.post(OrdersHandler.ORDERS_PATH, planned.key())
				.doOnNext((outcome) -> {
					recorder.record(planned.kind(), outcome);
					if (total != null) {
						total.record(planned.kind(), outcome);
					}
				}), this.client.connections())
			.blockLast(this.maxDuration);
		return recorder.summarize(name, System.nanoTime() - startedAt);
	}

	/**
	 * Sends an owner request to {@code POST /orders/slow} and, after a lag, several duplicates with the same key
	 * that wait in the filter until the owner's response is stored, for many keys at a time.
	 * @param keyPrefix a prefix unique to the phase
	 * @param groups the number of keys
	 * @param duplicates the number of duplicates per key
	 * @param lag how long after the owner the duplicates are sent; it must cover the owner's reservation
	 */
	HeldDuplicates.Measured runHeld(String name, String keyPrefix, int groups, int duplicates, Duration lag) {
		PhaseRecorder recorder = new PhaseRecorder();
		Histogram afterOwner = PhaseRecorder.newHistogram();
		AtomicLong groupsNotReplayed = new AtomicLong();
		int groupConcurrency = Math.max(1, this.client.connections() / (duplicates + 1));
		long startedAt = System.nanoTime();
		Flux.range(0, groups)
			.flatMap((group) -> {
				String key = keyPrefix + "-" + group;
				Mono<LoadClient.Outcome> owner = this.client.post(OrdersHandler.SLOW_ORDERS_PATH, key);
				Mono<List<LoadClient.Outcome>> held = Mono.delay(lag)
					.thenMany(Flux.range(0, duplicates)
						.flatMap((index) -> this.client.post(OrdersHandler.SLOW_ORDERS_PATH, key)))
					.collectList();
				return Mono.zip(owner, held).doOnNext((outcomes) -> {
					List<LoadClient.Outcome> all = new ArrayList<>(outcomes.getT2());
					all.add(0, outcomes.getT1());
					recordGroup(all, recorder, afterOwner, groupsNotReplayed);
				});
			}, groupConcurrency)
			.blockLast(this.maxDuration);
		PhaseSummary summary = recorder.summarize(name, System.nanoTime() - startedAt);
		return new HeldDuplicates.Measured(summary, LatencySummary.of(afterOwner), groupsNotReplayed.get());
	}

	/**
	 * Records one key's requests. The request that was not replayed ran the handler, normally the first one sent;
	 * each replayed request's finish time is compared with it.
	 */
	private static void recordGroup(List<LoadClient.Outcome> outcomes, PhaseRecorder recorder, Histogram afterOwner,
			AtomicLong groupsNotReplayed) {
		LoadClient.Outcome owner = null;
		int executed = 0;
		for (LoadClient.Outcome outcome : outcomes) {
			recorder.record(RequestKind.CONCURRENT_DUPLICATE, outcome);
			if (outcome.error() == null && !outcome.replayed()) {
				owner = outcome;
				executed++;
			}
		}
		if (owner == null || executed != 1) {
			groupsNotReplayed.incrementAndGet();
			return;
		}
		for (LoadClient.Outcome outcome : outcomes) {
			if (outcome.replayed()) {
				long micros = TimeUnit.NANOSECONDS.toMicros(outcome.finishedAtNanos() - owner.finishedAtNanos());
				afterOwner.recordValue(Math.max(0, micros));
			}
		}
	}


	/**
	 * One request of a plan.
	 */
	record PlannedRequest(RequestKind kind, String key) {

	}

}

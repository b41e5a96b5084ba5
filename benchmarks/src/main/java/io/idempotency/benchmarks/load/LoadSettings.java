package io.idempotency.benchmarks.load;

import java.time.Duration;

/**
 * The sizes of a load run.
 *
 * @param connections concurrent keep-alive connections, each with one request in flight
 * @param bodySize request body size in bytes
 * @param warmupChunkRequests requests per warm-up chunk; each service is warmed up chunk by chunk until its CPU time
 * per request settles
 * @param minWarmupChunks warm-up chunks sent at least
 * @param maxWarmupChunks warm-up chunks sent at most, settled or not
 * @param requests requests per measured round and store
 * @param rounds measured rounds; each round runs every store once, in a rotating order
 * @param mix the shares of the request kinds
 * @param probeRequests requests of each Redis round-trip probe (new keys, then replays of them)
 * @param heldGroups keys of the held-duplicate phase
 * @param heldDuplicates duplicates per key in the held-duplicate phase
 * @param heldLag how long after the owner the duplicates are sent
 * @param slowDelay how long the owner's handler runs in the held-duplicate phase
 * @param maxPhaseDuration the time after which a phase fails, so that the run always ends
 */
public record LoadSettings(int connections, int bodySize, int warmupChunkRequests, int minWarmupChunks,
		int maxWarmupChunks, int requests, int rounds,
		RequestMix mix, int probeRequests, int heldGroups, int heldDuplicates, Duration heldLag,
		Duration slowDelay, Duration maxPhaseDuration) {

	/**
	 * Returns the sizes of the quick pass, a few minutes in all on 2 cores.
	 */
	public static LoadSettings quick() {
		return new LoadSettings(64, 256, 20_000, 4, 15, 30_000, 3, new RequestMix(0.7, 0.2), 2_000, 200, 4,
				Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMinutes(2));
	}

	/**
	 * Returns the sizes of the long pass.
	 */
	public static LoadSettings full() {
		return new LoadSettings(64, 256, 50_000, 4, 20, 200_000, 5, new RequestMix(0.7, 0.2), 10_000, 2_000, 4,
				Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMinutes(10));
	}

}

package io.idempotency.benchmarks.load;

/**
 * The shares of the request kinds in the load mix: new keys and replays, the rest being pairs of concurrent
 * duplicates. Each share is a fraction of the draws, and a pair of duplicates takes one draw and two requests.
 *
 * @param newKey the share of new keys
 * @param replay the share of replays
 */
public record RequestMix(double newKey, double replay) {

	/**
	 * Returns the share of pairs of concurrent duplicates.
	 */
	public double concurrentDuplicate() {
		return 1 - this.newKey - this.replay;
	}

}

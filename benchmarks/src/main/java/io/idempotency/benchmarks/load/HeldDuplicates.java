package io.idempotency.benchmarks.load;

/**
 * How long duplicates held by the filter wait after the owner of their key stores its response.
 *
 * @param phase the requests of the phase, owners and duplicates together
 * @param wakeUpAfterComplete measured in the service: from the owner's call to the store's {@code complete} to the
 * duplicate's wake-up from {@code awaitCompletion}, per held duplicate
 * @param finishAfterOwner measured by the client: a duplicate's last response byte minus the owner's, per duplicate
 * @param wakeUpsWithoutComplete wake-ups whose key had no recorded complete call, left out of the figures
 * @param groupsNotReplayed keys for which not exactly one request ran the handler, left out of the client figure
 * @param handlerExecutions how many requests ran the handler, which should equal the number of keys
 */
public record HeldDuplicates(PhaseSummary phase, LatencySummary wakeUpAfterComplete, LatencySummary finishAfterOwner,
		long wakeUpsWithoutComplete, long groupsNotReplayed, long handlerExecutions) {

	/**
	 * The figures measured at the client.
	 */
	record Measured(PhaseSummary phase, LatencySummary finishAfterOwner, long groupsNotReplayed) {

	}

}

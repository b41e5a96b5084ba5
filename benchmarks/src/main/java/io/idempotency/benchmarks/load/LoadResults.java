package io.idempotency.benchmarks.load;

import java.util.List;
import java.util.Map;

/**
 * The outcome of a load run.
 *
 * @param settings the sizes of the run
 * @param stores the figures by store, the no-filter baseline first
 * @param notMeasured stores left out, with the reason
 */
public record LoadResults(LoadSettings settings, List<StoreLoadResult> stores, Map<String, String> notMeasured) {

}

package io.idempotency.benchmarks.load;

import java.util.Locale;

/**
 * The kinds of request in the load mix.
 */
enum RequestKind {

	/** A key not sent before: the filter reserves it, runs the handler and stores the response. */
	NEW_KEY,

	/** A key whose response was stored earlier in the phase: the filter replays it. */
	REPLAY,

	/** One of two requests sent together with the same new key: one runs the handler, the other is held or replayed. */
	CONCURRENT_DUPLICATE;

	String id() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}

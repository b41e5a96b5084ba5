package io.idempotency.benchmarks.support;

import java.time.Duration;

/**
 * CPU time of a child process, for CPU time per request: a figure that depends less on what else runs on the
 * machine than throughput does.
 */
public final class CpuTime {

	private CpuTime() {
	}

	/**
	 * Returns the CPU time the process has used so far, user and system, in nanoseconds.
	 * @throws IllegalStateException when the operating system does not report it
	 */
	public static long ofProcess(ProcessHandle process) {
		return process.info()
			.totalCpuDuration()
			.map(Duration::toNanos)
			.orElseThrow(() -> new IllegalStateException("The CPU time of process " + process.pid()
					+ " is not available on this operating system"));
	}

}

package io.idempotency.benchmarks.support;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
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

	/**
	 * Returns the CPU time, user and system, of a JVM's JIT compiler threads and of all its threads, in clock ticks,
	 * read from Linux's {@code /proc/<pid>/task/<tid>/stat}.
	 * @return the compiler threads' and the whole process's ticks, or {@code null} where {@code /proc} is missing
	 */
	public static long[] compilerAndTotalTicks(long pid) {
		Path tasks = Path.of("/proc", String.valueOf(pid), "task");
		if (!Files.isDirectory(tasks)) {
			return null;
		}
		long compiler = 0;
		long total = 0;
		try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
			for (Path thread : threads) {
				String stat;
				try {
					stat = Files.readString(thread.resolve("stat"));
				}
				catch (IOException ex) {
					// The thread ended while it was being read.
					continue;
				}
				// The thread name is in brackets and may contain spaces. The utime and stime fields are the 12th
				// and 13th after it.
				int close = stat.lastIndexOf(')');
				String name = stat.substring(stat.indexOf('(') + 1, close);
				String[] fields = stat.substring(close + 2).split(" ");
				long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
				total += ticks;
				// HotSpot names them "C1 CompilerThread0" and "C2 CompilerThread0", cut to 15 characters.
				if (name.contains("CompilerThre")) {
					compiler += ticks;
				}
			}
		}
		catch (IOException ex) {
			return null;
		}
		return new long[] { compiler, total };
	}

}

package io.idempotency.benchmarks.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The machine and software a run measured on, written beside every figure.
 *
 * @param cores processors available to the JVM
 * @param cpuModel the first {@code model name} of {@code /proc/cpuinfo}
 * @param memoryGib total memory from {@code /proc/meminfo}, in GiB
 * @param os operating system name and kernel version
 * @param jdk the JVM's vendor, name and version
 * @param redis the redis-server version, or {@code null} when Redis was not used
 * @param library the revision of the library that was installed before the run, as run.sh passes it
 * @param startedAt when the run started, UTC
 * @param loadAverageAtStart {@code /proc/loadavg} at the start: 1, 5 and 15 minute load averages
 * @param loadAverageAtEnd {@code /proc/loadavg} at the end
 */
public record Machine(int cores, String cpuModel, double memoryGib, String os, String jdk, String redis,
		String library, String startedAt, String loadAverageAtStart, String loadAverageAtEnd) {

	/** System property with the library revision that run.sh installed. */
	public static final String LIBRARY_PROPERTY = "benchmarks.library-revision";

	/**
	 * Describes this machine now.
	 */
	public static Machine describe() {
		return new Machine(Runtime.getRuntime().availableProcessors(), readCpuModel(), readMemoryGib(),
				System.getProperty("os.name") + " " + System.getProperty("os.version"),
				System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
						+ System.getProperty("java.runtime.version"),
				null, System.getProperty(LIBRARY_PROPERTY, "unknown"),
				OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_DATE_TIME),
				readLoadAverage(), null);
	}

	/**
	 * Returns a copy with the Redis version and the load average at the end of the run.
	 */
	public Machine finished(String redisVersion) {
		return new Machine(this.cores, this.cpuModel, this.memoryGib, this.os, this.jdk, redisVersion, this.library,
				this.startedAt, this.loadAverageAtStart, readLoadAverage());
	}

	/**
	 * Returns a one-line description for tables and chart titles.
	 */
	public String summary() {
		return this.cores + " cores (" + this.cpuModel + "), " + this.jdk + ", " + this.startedAt.substring(0, 10);
	}

	private static String readCpuModel() {
		for (String line : readLines("/proc/cpuinfo")) {
			if (line.startsWith("model name")) {
				return line.substring(line.indexOf(':') + 1).trim();
			}
		}
		return System.getProperty("os.arch");
	}

	private static double readMemoryGib() {
		for (String line : readLines("/proc/meminfo")) {
			if (line.startsWith("MemTotal:")) {
				long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
				return Math.round(kib / 1024.0 / 1024.0 * 10) / 10.0;
			}
		}
		return 0;
	}

	private static String readLoadAverage() {
		String[] fields = String.join(" ", readLines("/proc/loadavg")).split(" ");
		return (fields.length >= 3) ? fields[0] + " " + fields[1] + " " + fields[2] : "unknown";
	}

	private static java.util.List<String> readLines(String file) {
		try {
			return Files.readAllLines(Path.of(file));
		}
		catch (IOException ex) {
			return java.util.List.of();
		}
	}

}

package io.idempotency.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Finds the {@code redis-server} executable that the tests start.
 *
 * <p>In order: the path in the {@code redis.server} system property or the {@code REDIS_SERVER} environment variable,
 * then {@code redis-server} on the {@code PATH}, then the Redis 6.2 binary that the {@code embedded-redis} test
 * dependency ships for Linux and macOS on x86-64 and ARM64. When none is found the tests fail with a message that
 * says how to install one; they are never skipped.
 */
public final class RedisExecutable {

	private static final String PROPERTY = "redis.server";

	private static final String ENVIRONMENT_VARIABLE = "REDIS_SERVER";

	private static @Nullable Path extractedBundle;

	private RedisExecutable() {
	}


	/**
	 * Returns the {@code redis-server} to start.
	 * @return the path of an executable file
	 * @throws IllegalStateException if no executable is found
	 */
	public static Path find() {
		String configured = System.getProperty(PROPERTY, System.getenv(ENVIRONMENT_VARIABLE));
		if (configured != null && !configured.isBlank()) {
			Path path = Path.of(configured);
			if (!Files.isExecutable(path)) {
				throw new IllegalStateException("The redis-server set by -D" + PROPERTY + " or " + ENVIRONMENT_VARIABLE
						+ " is not an executable file: " + path);
			}
			return path;
		}
		Path onPath = findOnPath("redis-server");
		if (onPath != null) {
			return onPath;
		}
		return bundled();
	}

	/**
	 * Returns the Redis 6.2 binary shipped by the {@code embedded-redis} test dependency, extracted to a temporary
	 * file once per JVM.
	 * @return the path of an executable file
	 * @throws IllegalStateException if the dependency has no binary for this operating system and architecture
	 */
	public static synchronized Path bundled() {
		if (extractedBundle != null) {
			return extractedBundle;
		}
		String resource = bundledResourceName();
		try (InputStream binary = RedisExecutable.class.getResourceAsStream("/" + resource)) {
			if (binary == null) {
				throw new IllegalStateException(
						noRedisMessage("the embedded-redis test dependency has no " + resource));
			}
			Path target = Files.createTempFile("redis-server-", "");
			Files.copy(binary, target, StandardCopyOption.REPLACE_EXISTING);
			if (!target.toFile().setExecutable(true)) {
				throw new IllegalStateException("Failed to make " + target + " executable");
			}
			target.toFile().deleteOnExit();
			extractedBundle = target;
			return target;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to extract " + resource + " from the embedded-redis jar", ex);
		}
	}

	private static String bundledResourceName() {
		String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
		boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
		boolean arm64 = arch.equals("aarch64") || arch.equals("arm64");
		if (os.contains("linux") && x64) {
			return "redis-server-6.2.6-v5-linux-amd64";
		}
		if (os.contains("linux") && arm64) {
			return "redis-server-6.2.7-linux-arm64";
		}
		if (os.contains("mac") && x64) {
			return "redis-server-6.2.6-v5-darwin-amd64";
		}
		if (os.contains("mac") && arm64) {
			return "redis-server-6.2.6-v5-darwin-arm64";
		}
		throw new IllegalStateException(noRedisMessage("embedded-redis has no binary for " + os + " on " + arch));
	}

	private static String noRedisMessage(String reason) {
		return "No redis-server found for the Redis tests: none is on the PATH and " + reason + ". Install Redis 6.2 "
				+ "or later (for example 'apt-get install redis-server'), or set -D" + PROPERTY
				+ "=/path/to/redis-server";
	}

	private static @Nullable Path findOnPath(String name) {
		String path = System.getenv("PATH");
		if (path == null) {
			return null;
		}
		for (String directory : path.split(File.pathSeparator)) {
			if (!directory.isEmpty()) {
				Path candidate = Path.of(directory, name);
				if (Files.isExecutable(candidate)) {
					return candidate;
				}
			}
		}
		return null;
	}

}

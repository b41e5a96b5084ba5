package io.idempotency.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An application started in a separate JVM on a free port of 127.0.0.1, so that a test can kill it with
 * {@code SIGKILL} through its {@link Process} handle, as a crash would end it: no shutdown hook, no cleanup.
 *
 * <p>The child JVM runs with the test class path and writes its output to a log file, whose end is included in the
 * error when the application does not start.
 */
public final class ApplicationProcess implements AutoCloseable {

	private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

	private final Process process;

	private final int port;

	private final Path log;


	private ApplicationProcess(Process process, int port, Path log) {
		this.process = process;
		this.port = port;
		this.log = log;
	}


	/**
	 * Starts the main class in a new JVM and waits until it accepts HTTP connections.
	 * @param mainClass the class whose {@code main} method starts the application
	 * @param properties application properties in {@code name=value} form, passed as command-line arguments
	 * @return the running application
	 */
	public static ApplicationProcess start(Class<?> mainClass, String... properties) {
		int port = RedisServer.freePort();
		Path log = createLog();
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
				testClassPath(), mainClass.getName(), "--server.port=" + port));
		for (String property : properties) {
			command.add("--" + property);
		}
		Process process;
		try {
			process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to start a JVM for " + mainClass.getName(), ex);
		}
		ApplicationProcess application = new ApplicationProcess(process, port, log);
		application.awaitPort();
		return application;
	}

	/**
	 * Returns the HTTP port of the application.
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Kills the JVM with {@code SIGKILL} and waits until it has exited.
	 */
	public void kill() {
		this.process.destroyForcibly();
		try {
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void close() {
		kill();
		this.log.toFile().delete();
	}

	private void awaitPort() {
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("Application exited at start with code " + this.process.exitValue()
						+ ":\n" + RedisServer.tail(this.log));
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress(RedisServer.HOST, this.port), 500);
				return;
			}
			catch (IOException ex) {
				RedisServer.sleep(Duration.ofMillis(200));
			}
		}
		kill();
		throw new IllegalStateException("Application did not listen on port " + this.port + " within "
				+ START_TIMEOUT.toSeconds() + " s:\n" + RedisServer.tail(this.log));
	}

	private static String testClassPath() {
		// Surefire starts the tests from a jar whose manifest lists the class path, and sets this property to the
		// full list.
		String surefireClassPath = System.getProperty("surefire.test.class.path");
		return (surefireClassPath != null) ? surefireClassPath : System.getProperty("java.class.path");
	}

	private static Path createLog() {
		try {
			return Files.createTempFile("application-", ".log");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to create a log file for the application", ex);
		}
	}

}

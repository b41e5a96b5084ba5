package io.idempotency.benchmarks.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.idempotency.benchmarks.support.CpuTime;

/**
 * An {@link OrdersService} in its own JVM, started with this JVM's class path and stopped by its process id.
 */
final class ServiceProcess implements AutoCloseable {

	private static final long START_TIMEOUT_SECONDS = 60;

	private final Process process;

	private final int port;

	private final Thread shutdownHook;


	private ServiceProcess(Process process, int port) {
		this.process = process;
		this.port = port;
		this.shutdownHook = new Thread(this::stopProcess, "orders-service-stop");
		Runtime.getRuntime().addShutdownHook(this.shutdownHook);
	}


	/**
	 * Starts a service and waits until it listens.
	 * @param jvmOptions options of the service JVM, such as its heap size
	 * @param serviceOptions options of {@link OrdersService}
	 * @param logFile where the service's output goes once it listens
	 */
	static ServiceProcess start(List<String> jvmOptions, List<String> serviceOptions, Path logFile)
			throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(jvmOptions);
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(OrdersService.class.getName());
		command.addAll(serviceOptions);
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> readPort(process, logFile));
		try {
			return new ServiceProcess(process, port.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS));
		}
		catch (ExecutionException | TimeoutException ex) {
			process.destroyForcibly();
			throw new IllegalStateException("The orders service (" + String.join(" ", serviceOptions)
					+ ") did not start within " + START_TIMEOUT_SECONDS + " s; see " + logFile, ex);
		}
	}

	int port() {
		return this.port;
	}

	long pid() {
		return this.process.pid();
	}

	/**
	 * Returns the CPU time the service has used so far, all threads, user and system, in nanoseconds.
	 */
	long cpuNanos() {
		return CpuTime.ofProcess(this.process.toHandle());
	}

	@Override
	public void close() {
		stopProcess();
		try {
			Runtime.getRuntime().removeShutdownHook(this.shutdownHook);
		}
		catch (IllegalStateException ex) {
			// The JVM is already shutting down and runs the hook itself.
		}
	}

	private void stopProcess() {
		if (!this.process.isAlive()) {
			return;
		}
		this.process.destroy();
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Copies the service's output to the log file and returns the port from its listening line.
	 */
	private static int readPort(Process process, Path logFile) {
		try {
			BufferedReader reader = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
			java.io.Writer log = java.nio.file.Files.newBufferedWriter(logFile, StandardCharsets.UTF_8);
			String line;
			while ((line = reader.readLine()) != null) {
				log.write(line + System.lineSeparator());
				log.flush();
				if (line.startsWith(OrdersService.LISTENING_PREFIX)) {
					int port = Integer.parseInt(line.substring(OrdersService.LISTENING_PREFIX.length()).trim());
					Thread copier = new Thread(() -> copyRest(reader, log), "orders-service-log");
					copier.setDaemon(true);
					copier.start();
					return port;
				}
			}
			throw new IllegalStateException("The orders service exited before listening; see " + logFile);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Failed to read the orders service output", ex);
		}
	}

	private static void copyRest(BufferedReader reader, java.io.Writer log) {
		try (reader; log) {
			String line;
			while ((line = reader.readLine()) != null) {
				log.write(line + System.lineSeparator());
				log.flush();
			}
		}
		catch (IOException ex) {
			// The service stopped; its log ends here.
		}
	}

}

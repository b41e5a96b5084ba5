package io.idempotency.benchmarks.support;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server child process on a free loopback port, with persistence off, started and stopped by the benchmarks.
 *
 * <p>{@code redis-server} and {@code redis-cli} are taken from {@code PATH}. The server is stopped by
 * {@link Process#destroy()} on its own process id, and it exits by itself when this JVM exits because
 * {@link #close()} runs from a shutdown hook too.
 */
public final class RedisServer implements AutoCloseable {

	private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

	private final Process process;

	private final int port;

	private final Path logFile;

	private final Thread shutdownHook;


	private RedisServer(Process process, int port, Path logFile) {
		this.process = process;
		this.port = port;
		this.logFile = logFile;
		this.shutdownHook = new Thread(this::stopProcess, "redis-server-stop");
		Runtime.getRuntime().addShutdownHook(this.shutdownHook);
	}


	/**
	 * Starts a redis-server on {@code 127.0.0.1} and waits until it replies to {@code PING}.
	 * @param workDirectory where the server's log file is written
	 * @throws IllegalStateException when redis-server or redis-cli is not on {@code PATH}, or the server does not
	 * reply within 10 seconds
	 */
	public static RedisServer start(Path workDirectory) throws IOException, InterruptedException {
		requireOnPath("redis-server");
		requireOnPath("redis-cli");
		Files.createDirectories(workDirectory);
		int port = freeLoopbackPort();
		Path logFile = workDirectory.resolve("redis-" + port + ".log");
		Process process = new ProcessBuilder("redis-server", "--bind", "127.0.0.1", "--port", String.valueOf(port),
				"--save", "", "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "warning")
			.redirectErrorStream(true)
			.redirectOutput(logFile.toFile())
			.start();
		RedisServer server = new RedisServer(process, port, logFile);
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				server.close();
				throw new IllegalStateException("redis-server exited with code " + process.exitValue()
						+ " before replying to PING; see " + logFile);
			}
			if ("PONG".equals(server.tryCli("PING"))) {
				return server;
			}
			Thread.sleep(50);
		}
		server.close();
		throw new IllegalStateException("redis-server on port " + port + " did not reply to PING within "
				+ START_TIMEOUT.toSeconds() + " s; see " + logFile);
	}

	/**
	 * Returns the port the server listens on, on {@code 127.0.0.1}.
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Returns the CPU time the server has used so far, user and system, in nanoseconds.
	 */
	public long cpuNanos() {
		return CpuTime.ofProcess(this.process.toHandle());
	}

	/**
	 * Returns the version that {@code redis-server --version} prints, for example {@code 7.0.15}.
	 */
	public String version() throws IOException, InterruptedException {
		for (String line : cli("INFO", "server").split("\r?\n")) {
			if (line.startsWith("redis_version:")) {
				return line.substring("redis_version:".length()).trim();
			}
		}
		return "unknown";
	}

	/**
	 * Deletes every key.
	 */
	public void flushAll() throws IOException, InterruptedException {
		cli("FLUSHALL");
	}

	/**
	 * Reads {@code INFO commandstats}: the number of calls of each command since the server started, commands run
	 * from Lua scripts included.
	 * @return calls by command name, in name order
	 */
	public Map<String, Long> commandCalls() throws IOException, InterruptedException {
		Map<String, Long> calls = new TreeMap<>();
		for (String line : cli("INFO", "commandstats").split("\r?\n")) {
			// Lines read "cmdstat_evalsha:calls=12,usec=80,..."
			if (!line.startsWith("cmdstat_")) {
				continue;
			}
			int colon = line.indexOf(':');
			String name = line.substring("cmdstat_".length(), colon);
			for (String field : line.substring(colon + 1).split(",")) {
				if (field.startsWith("calls=")) {
					calls.put(name, Long.parseLong(field.substring("calls=".length())));
				}
			}
		}
		return calls;
	}

	/**
	 * Starts {@code redis-cli MONITOR}, which lists every command the server runs and marks those run from Lua
	 * scripts, so that the commands clients send can be counted apart from those.
	 * @param outputFile where the monitor output is written
	 */
	public Monitor monitor(Path outputFile) throws IOException, InterruptedException {
		Process monitor = new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(this.port), "MONITOR")
			.redirectErrorStream(true)
			.redirectOutput(outputFile.toFile())
			.start();
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		// redis-cli prints OK once the server has accepted MONITOR.
		while (Files.size(outputFile) == 0) {
			if (System.nanoTime() > deadline || !monitor.isAlive()) {
				monitor.destroy();
				throw new IllegalStateException("redis-cli MONITOR did not start; see " + outputFile);
			}
			Thread.sleep(10);
		}
		return new Monitor(monitor, outputFile);
	}

	/**
	 * Runs {@code redis-cli} against this server.
	 * @return the command's output, trimmed
	 * @throws IllegalStateException when redis-cli fails or runs for more than 10 seconds
	 */
	public String cli(String... arguments) throws IOException, InterruptedException {
		String output = tryCli(arguments);
		if (output == null) {
			throw new IllegalStateException("redis-cli " + String.join(" ", arguments) + " failed against port "
					+ this.port + "; see " + this.logFile);
		}
		return output;
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

	private String tryCli(String... arguments) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(this.port)));
		command.addAll(List.of(arguments));
		Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
		byte[] output = cli.getInputStream().readAllBytes();
		if (!cli.waitFor(10, TimeUnit.SECONDS)) {
			cli.destroyForcibly();
			return null;
		}
		String text = new String(output, StandardCharsets.UTF_8).trim();
		if (cli.exitValue() != 0 || text.startsWith("Could not connect")) {
			return null;
		}
		return text;
	}

	private void stopProcess() {
		if (!this.process.isAlive()) {
			return;
		}
		this.process.destroy();
		try {
			if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

	private static void requireOnPath(String executable) {
		String path = System.getenv().getOrDefault("PATH", "");
		for (String directory : path.split(File.pathSeparator)) {
			if (Files.isExecutable(Path.of(directory, executable))) {
				return;
			}
		}
		throw new IllegalStateException(executable + " was not found on PATH. Install it (on Debian: apt-get install "
				+ "redis-server redis-tools), or leave Redis out with --stores none,memory");
	}

	private static int freeLoopbackPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}


	/**
	 * A running {@code redis-cli MONITOR}.
	 */
	public static final class Monitor {

		private final Process process;

		private final Path outputFile;

		private Monitor(Process process, Path outputFile) {
			this.process = process;
			this.outputFile = outputFile;
		}

		/**
		 * Stops the monitor and counts the commands that clients sent while it ran, by command name.
		 * <p>Commands run from Lua scripts, marked {@code [0 lua]}, are left out, and so are the {@code INFO} and
		 * {@code MONITOR} commands of the benchmark itself, so each counted command is one request and reply
		 * between a client and the server.
		 */
		public Map<String, Long> stopAndCountClientCommands() throws IOException, InterruptedException {
			// MONITOR output trails the commands by a little; give it time to reach the file.
			Thread.sleep(200);
			this.process.destroy();
			if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
			Map<String, Long> counts = new LinkedHashMap<>();
			for (String line : Files.readAllLines(this.outputFile, StandardCharsets.UTF_8)) {
				// Lines read: 1700000000.123456 [0 127.0.0.1:43210] "evalsha" "..." ...
				int open = line.indexOf('[');
				int close = line.indexOf(']', open + 1);
				if (open < 0 || close < 0 || line.substring(open, close).endsWith(" lua")) {
					continue;
				}
				int quote = line.indexOf('"', close);
				int endQuote = line.indexOf('"', quote + 1);
				if (quote < 0 || endQuote < 0) {
					continue;
				}
				String command = line.substring(quote + 1, endQuote).toLowerCase(java.util.Locale.ROOT);
				if (command.equals("info") || command.equals("monitor")) {
					continue;
				}
				counts.merge(command, 1L, Long::sum);
			}
			return counts;
		}

	}

}

package io.idempotency.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * A {@code redis-server} process on a free port of 127.0.0.1, started by a test and stopped through its
 * {@link Process} handle.
 *
 * <p>The server runs without persistence ({@code --save ""}, {@code --appendonly no}) in a temporary directory. It can
 * be stopped and started again on the same port and directory, to simulate an outage; a snapshot taken with
 * {@code SAVE} before the stop is loaded again on start, as a Redis with persistence would. {@link #execute} sends one
 * command over a new connection and returns the reply, for test setup and assertions. Processes still running when
 * the JVM exits are stopped by a shutdown hook.
 */
public final class RedisServer implements AutoCloseable {

	/** The address every test server binds to. */
	public static final String HOST = "127.0.0.1";

	private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

	private static final Set<Process> running = ConcurrentHashMap.newKeySet();

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> running.forEach(Process::destroyForcibly)));
	}

	private final Path executable;

	/** Arguments that come before the options, such as the configuration file of a Sentinel. */
	private final List<String> leadingArguments;

	private final Path directory;

	private final int port;

	private final List<String> extraArguments;

	private @Nullable Process process;


	private RedisServer(Path executable, List<String> leadingArguments, Path directory, int port,
			List<String> extraArguments) {
		this.executable = executable;
		this.leadingArguments = leadingArguments;
		this.directory = directory;
		this.port = port;
		this.extraArguments = extraArguments;
	}


	/**
	 * Starts a server with the executable that {@link RedisExecutable#find()} returns.
	 * @param extraArguments further {@code redis-server} arguments, for example {@code --cluster-enabled yes}
	 * @return the started server, which replies to {@code PING}
	 */
	public static RedisServer start(String... extraArguments) {
		return start(RedisExecutable.find(), extraArguments);
	}

	/**
	 * Starts a server with the given executable on a free port.
	 * @param executable the {@code redis-server} to run
	 * @param extraArguments further {@code redis-server} arguments
	 * @return the started server, which replies to {@code PING}
	 */
	public static RedisServer start(Path executable, String... extraArguments) {
		IllegalStateException failure = null;
		// Another process may take the free port between the check and the bind, so a failed start is retried.
		for (int attempt = 0; attempt < 3; attempt++) {
			Path directory = createDirectory();
			RedisServer server = new RedisServer(executable, List.of(), directory, freePort(), List.of(extraArguments));
			try {
				server.launch();
				return server;
			}
			catch (IllegalStateException ex) {
				server.close();
				failure = ex;
			}
		}
		throw failure;
	}

	/**
	 * Starts a Redis Sentinel on a free port that monitors the given master, with a quorum of 1.
	 * @param master the master to monitor
	 * @param masterName the name under which clients find the master
	 * @return the started Sentinel, which replies to {@code PING}
	 */
	public static RedisServer startSentinel(RedisServer master, String masterName) {
		Path directory = createDirectory();
		Path configuration = directory.resolve("sentinel.conf");
		try {
			// Sentinel rewrites its configuration file, so each Sentinel gets its own.
			Files.writeString(configuration,
					"sentinel monitor " + masterName + " " + HOST + " " + master.port() + " 1\n");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to write " + configuration, ex);
		}
		RedisServer sentinel = new RedisServer(master.executable, List.of(configuration.toString(), "--sentinel"),
				directory, freePort(), List.of());
		sentinel.launch();
		return sentinel;
	}

	/**
	 * Returns the port the server listens on, the same across restarts.
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Returns the directory of the server's snapshot and log file.
	 */
	public Path directory() {
		return this.directory;
	}

	/**
	 * Starts the stopped server again on the same port and directory, and waits until it replies to {@code PING}.
	 * @throws IllegalStateException if the server is running or does not start
	 */
	public void restart() {
		launch();
	}

	private synchronized void launch() {
		if (this.process != null) {
			throw new IllegalStateException("Redis on port " + this.port + " is already running");
		}
		List<String> command = new ArrayList<>(List.of(this.executable.toString()));
		command.addAll(this.leadingArguments);
		command.addAll(List.of("--port", Integer.toString(this.port), "--bind", HOST, "--save", "", "--appendonly",
				"no", "--dir", this.directory.toString(), "--dbfilename", "dump.rdb", "--daemonize", "no"));
		command.addAll(this.extraArguments);
		Path log = this.directory.resolve("redis.log");
		try {
			this.process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to run " + this.executable, ex);
		}
		running.add(this.process);
		awaitPing(log);
	}

	/**
	 * Stops the server by its process handle and waits until it has exited. Data that was not saved is lost.
	 */
	public synchronized void stop() {
		Process current = this.process;
		if (current == null) {
			return;
		}
		current.destroy();
		try {
			if (!current.waitFor(10, TimeUnit.SECONDS)) {
				current.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			current.destroyForcibly();
		}
		running.remove(current);
		this.process = null;
	}

	/**
	 * Returns whether the server process is running.
	 */
	public synchronized boolean isRunning() {
		return this.process != null && this.process.isAlive();
	}

	/**
	 * Stops the server and deletes its directory.
	 */
	@Override
	public void close() {
		stop();
		try (Stream<Path> files = Files.walk(this.directory)) {
			files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
		}
		catch (IOException ex) {
			// The directory is under the system's temporary directory and is cleaned up with it.
		}
	}

	/**
	 * Sends one command and returns its reply.
	 * @param arguments the command and its arguments, each a {@link String} (sent as UTF-8) or a {@code byte[]}
	 * @return the reply: a {@link String} for simple and bulk strings, a {@link Long} for integers, a {@link List} for
	 * arrays, or {@code null} for a null reply
	 * @throws IllegalStateException if Redis replies with an error
	 */
	public @Nullable Object execute(Object... arguments) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(HOST, this.port), 2000);
			socket.setSoTimeout(10_000);
			OutputStream output = socket.getOutputStream();
			output.write(encode(arguments));
			output.flush();
			return readReply(new BufferedInputStream(socket.getInputStream()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to send " + arguments[0] + " to Redis on port " + this.port, ex);
		}
	}

	/**
	 * Returns the fields of one section of {@code INFO}, for example {@code commandstats}.
	 * @param section the section name
	 * @return the field values by field name
	 */
	public Map<String, String> info(String section) {
		String reply = (String) execute("INFO", section);
		Map<String, String> fields = new LinkedHashMap<>();
		for (String line : reply.split("\r\n")) {
			int colon = line.indexOf(':');
			if (!line.startsWith("#") && colon > 0) {
				fields.put(line.substring(0, colon), line.substring(colon + 1));
			}
		}
		return fields;
	}

	/**
	 * Returns how many times a command ran since the server started or since {@code CONFIG RESETSTAT}.
	 * @param command the command name in lower case, for example {@code evalsha}
	 * @return the {@code calls} count of {@code INFO commandstats}, 0 when the command never ran
	 */
	public long commandCalls(String command) {
		String stats = info("commandstats").get("cmdstat_" + command);
		if (stats == null) {
			return 0;
		}
		for (String field : stats.split(",")) {
			if (field.startsWith("calls=")) {
				return Long.parseLong(field.substring("calls=".length()));
			}
		}
		throw new IllegalStateException("No calls field in cmdstat_" + command + ": " + stats);
	}

	@Override
	public String toString() {
		return "RedisServer[" + HOST + ":" + this.port + "]";
	}

	private void awaitPing(Path log) {
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			Process current = this.process;
			if (current == null || !current.isAlive()) {
				running.remove(current);
				this.process = null;
				throw new IllegalStateException(
						"redis-server on port " + this.port + " exited at start:\n" + tail(log));
			}
			try {
				if ("PONG".equals(execute("PING"))) {
					return;
				}
			}
			catch (UncheckedIOException | IllegalStateException ex) {
				// Not listening yet, or still loading its snapshot.
			}
			sleep(Duration.ofMillis(20));
		}
		stop();
		throw new IllegalStateException("redis-server on port " + this.port + " did not answer PING within "
				+ START_TIMEOUT.toSeconds() + " s:\n" + tail(log));
	}

	static String tail(Path log) {
		try {
			List<String> lines = Files.readAllLines(log);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
		}
		catch (IOException ex) {
			return "(no log at " + log + ")";
		}
	}

	private static byte[] encode(Object[] arguments) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(("*" + arguments.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
		for (Object argument : arguments) {
			byte[] bytes = (argument instanceof byte[] raw) ? raw
					: String.valueOf(argument).getBytes(StandardCharsets.UTF_8);
			out.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
			out.writeBytes(bytes);
			out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
		}
		return out.toByteArray();
	}

	private static @Nullable Object readReply(InputStream input) throws IOException {
		int type = input.read();
		String line = readLine(input);
		switch (type) {
			case '+':
				return line;
			case '-':
				throw new IllegalStateException("Redis replied with an error: " + line);
			case ':':
				return Long.parseLong(line);
			case '$': {
				int length = Integer.parseInt(line);
				if (length < 0) {
					return null;
				}
				byte[] bytes = input.readNBytes(length);
				readLine(input);
				return new String(bytes, StandardCharsets.UTF_8);
			}
			case '*': {
				int count = Integer.parseInt(line);
				if (count < 0) {
					return null;
				}
				List<@Nullable Object> elements = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					elements.add(readReply(input));
				}
				return elements;
			}
			default:
				throw new IOException("Unexpected reply type '" + (char) type + "' from Redis");
		}
	}

	private static String readLine(InputStream input) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int previous = -1;
		int current;
		while ((current = input.read()) != -1) {
			if (previous == '\r' && current == '\n') {
				byte[] bytes = line.toByteArray();
				return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
			}
			line.write(current);
			previous = current;
		}
		throw new IOException("Redis closed the connection in the middle of a reply");
	}

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to find a free port on " + HOST, ex);
		}
	}

	private static Path createDirectory() {
		try {
			return Files.createTempDirectory("redis-test-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed to create a directory for redis-server", ex);
		}
	}

	/**
	 * Sleeps on the calling thread, which in the tests is never an event loop thread.
	 */
	static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
	}

}

package io.idempotency.benchmarks.support;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The redis-server a JMH fork uses: the one whose port the {@value #PORT_PROPERTY} system property gives, or else one
 * that the fork starts on loopback and stops when the benchmark ends.
 */
public final class BenchmarkRedis implements AutoCloseable {

	/** System property with the port of a running redis-server on {@code 127.0.0.1}. */
	public static final String PORT_PROPERTY = "benchmarks.redis.port";

	private final RedisServer started;

	private final int port;


	private BenchmarkRedis(RedisServer started, int port) {
		this.started = started;
		this.port = port;
	}


	/**
	 * Connects to the server from {@value #PORT_PROPERTY}, or starts one.
	 */
	public static BenchmarkRedis obtain() throws IOException, InterruptedException {
		String port = System.getProperty(PORT_PROPERTY);
		if (port != null) {
			return new BenchmarkRedis(null, Integer.parseInt(port));
		}
		RedisServer server = RedisServer.start(Path.of(System.getProperty("java.io.tmpdir")));
		return new BenchmarkRedis(server, server.port());
	}

	public int port() {
		return this.port;
	}

	@Override
	public void close() {
		if (this.started != null) {
			this.started.close();
		}
	}

}

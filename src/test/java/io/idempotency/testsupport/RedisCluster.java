package io.idempotency.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Redis Cluster of three masters without replicas on free ports of 127.0.0.1, started by a test.
 *
 * <p>Each node is a {@link RedisServer} started with {@code --cluster-enabled yes}. The nodes are joined the way
 * {@code redis-cli --cluster create ... --cluster-replicas 0} does it: each node is assigned an equal range of the
 * 16384 hash slots with {@code CLUSTER ADDSLOTS}, then the first node meets the others with {@code CLUSTER MEET}.
 * Doing it with plain commands keeps the cluster usable with a {@code redis-server} that comes without
 * {@code redis-cli}, such as the one that the {@code embedded-redis} test dependency ships.
 */
public final class RedisCluster implements AutoCloseable {

	private static final int SLOTS = 16384;

	private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);

	private final List<RedisServer> nodes;


	private RedisCluster(List<RedisServer> nodes) {
		this.nodes = nodes;
	}


	/**
	 * Starts three masters and waits until every node reports {@code cluster_state:ok} and lists the others.
	 * @return the running cluster
	 */
	public static RedisCluster start() {
		List<RedisServer> nodes = new ArrayList<>();
		try {
			for (int i = 0; i < 3; i++) {
				nodes.add(RedisServer.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
						"--cluster-node-timeout", "2000"));
			}
			RedisCluster cluster = new RedisCluster(List.copyOf(nodes));
			cluster.join();
			return cluster;
		}
		catch (RuntimeException ex) {
			nodes.forEach(RedisServer::close);
			throw ex;
		}
	}

	/**
	 * Returns the nodes, in the order of the slot ranges they serve.
	 */
	public List<RedisServer> nodes() {
		return this.nodes;
	}

	/**
	 * Returns the {@code host:port} address of every node.
	 */
	public List<String> addresses() {
		return this.nodes.stream().map((node) -> RedisServer.HOST + ":" + node.port()).toList();
	}

	/**
	 * Returns the hash slot of a key, as {@code CLUSTER KEYSLOT} computes it.
	 */
	public long slot(String key) {
		return (Long) this.nodes.get(0).execute("CLUSTER", "KEYSLOT", key);
	}

	/**
	 * Returns the node that serves the slot of a key.
	 */
	public RedisServer nodeFor(String key) {
		long slot = slot(key);
		int index = (int) Math.min(slot / (SLOTS / this.nodes.size()), this.nodes.size() - 1);
		return this.nodes.get(index);
	}

	@Override
	public void close() {
		this.nodes.forEach(RedisServer::close);
	}

	private void join() {
		int perNode = SLOTS / this.nodes.size();
		for (int i = 0; i < this.nodes.size(); i++) {
			int first = i * perNode;
			int last = (i == this.nodes.size() - 1) ? SLOTS - 1 : (i + 1) * perNode - 1;
			List<Object> command = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
			for (int slot = first; slot <= last; slot++) {
				command.add(Integer.toString(slot));
			}
			this.nodes.get(i).execute(command.toArray());
		}
		for (int i = 1; i < this.nodes.size(); i++) {
			this.nodes.get(0).execute("CLUSTER", "MEET", RedisServer.HOST, Integer.toString(this.nodes.get(i).port()));
		}
		long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
		while (!isJoined()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Redis Cluster on " + addresses() + " did not reach cluster_state:ok "
						+ "within " + JOIN_TIMEOUT.toSeconds() + " s: " + this.nodes.get(0).execute("CLUSTER", "INFO"));
			}
			RedisServer.sleep(Duration.ofMillis(100));
		}
	}

	private boolean isJoined() {
		for (RedisServer node : this.nodes) {
			String info = (String) node.execute("CLUSTER", "INFO");
			if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:" + this.nodes.size())) {
				return false;
			}
			if (((List<?>) node.execute("CLUSTER", "SLOTS")).size() != this.nodes.size()) {
				return false;
			}
		}
		return true;
	}

}
